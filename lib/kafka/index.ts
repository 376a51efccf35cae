/**
 * The Kafka adapter, the only code that imports kafkajs. Commands import from here: a client
 * (client.ts), failures as kinds with their user line (failure.ts), delivery and failover bounds
 * (delivery.ts), topic admin (topics.ts), the record producer (producer.ts), a live topic stream
 * from "the last N" on (room-stream.ts) and a bounded range reader (range-reader.ts).
 */
import { AssignerProtocol, type Kafka, type PartitionAssigner } from "kafkajs";
import type { KafkaSettings } from "../config.ts";
import { type ConnectOptions, kafkajsOf, openKafka } from "./client.ts";

export {
  type ConnectOptions,
  type KafkaClient,
  type LogEntry,
  type LogLevel,
  openKafka,
} from "./client.ts";
export { DELIVERY_TIMEOUT_MS, deliveryRetry, outlastFailover } from "./delivery.ts";
export {
  type FailureCode,
  failureMessage,
  failureOf,
  isKafkaFailure,
  KafkaFailure,
  kafkaFailure,
} from "./failure.ts";
export { deliveredWithin, type OutgoingRecord, type RecordProducer, recordProducer } from "./producer.ts";
export { type OffsetRange, type RangeHandlers, type ReadOptions, readRanges } from "./range-reader.ts";
export { followTopic, type StreamHandlers, type StreamRecord, type TopicStream } from "./room-stream.ts";
export { ensureTopic, openAdmin, type TopicAdmin, type Watermarks } from "./topics.ts";

// ---- Until the bot moves onto openKafka (issue 11, part D): kafkajs's own client and types ----

export type {
  Admin,
  Consumer,
  ConsumerConfig,
  EachBatchPayload,
  EachMessagePayload,
  Kafka,
  KafkaMessage,
  Message,
  PartitionAssigner,
  Producer,
  ProducerConfig,
  RecordMetadata,
  Transaction,
} from "kafkajs";
export { kafkajsOf } from "./client.ts";

/** The kafkajs client of openKafka(settings, options). */
export function connectKafka(settings: KafkaSettings, options: ConnectOptions = {}): Kafka {
  return kafkajsOf(openKafka(settings, options));
}

// ---- For the bot's assignment slots (lib/bot/slots.ts) ----

/** Which member gets which partitions: member id → topic → partitions. */
export type AssignPartitions = (
  memberIds: string[],
  partitions: { topic: string; partition: number }[],
) => Map<string, Record<string, number[]>>;

/**
 * A consumer-group assigner (run by the group's leader) from a pure function over the member
 * ids and every partition of the subscribed topics.
 */
export function customAssigner(name: string, assign: AssignPartitions): PartitionAssigner {
  return ({ cluster }) => ({
    name,
    version: 0,
    async assign({ members, topics }) {
      const partitions = topics.flatMap((topic) =>
        cluster
          .findTopicPartitionMetadata(topic)
          .map(({ partitionId }) => ({ topic, partition: partitionId })),
      );
      const assignment = assign(
        members.map(({ memberId }) => memberId),
        partitions,
      );
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: assignment.get(memberId) ?? {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
      };
    },
  });
}

interface CoordinatorLookup {
  findGroupCoordinatorMetadata(request: { groupId: string; coordinatorType?: number }): Promise<unknown>;
}

let remembering = false;

/**
 * kafkajs asks the cluster which broker coordinates a group or transaction before every
 * transactional request: four FindCoordinator round trips in each of the bot's transactions,
 * beside five that do the work. This makes every client of the process remember each answer
 * for `ms`. A coordinator that moves is found again once that has passed; until then kafkajs
 * retries the requests the old one refuses, as it does for any moved coordinator.
 */
export async function rememberCoordinators(ms: number): Promise<void> {
  if (remembering) return;
  remembering = true;
  // @ts-expect-error kafkajs's internals carry no types
  const { default: Cluster } = (await import("kafkajs/src/cluster/index.js")) as {
    default: { prototype: CoordinatorLookup };
  };
  const lookup = Cluster.prototype.findGroupCoordinatorMetadata;
  const remembered = new WeakMap<object, Map<string, { at: number; answer: Promise<unknown> }>>();
  Cluster.prototype.findGroupCoordinatorMetadata = function (request) {
    const known = remembered.get(this) ?? new Map<string, { at: number; answer: Promise<unknown> }>();
    remembered.set(this, known);
    const key = `${request.coordinatorType ?? 0}\u0000${request.groupId}`;
    const entry = known.get(key);
    if (entry !== undefined && performance.now() - entry.at < ms) return entry.answer;
    const answer = lookup.call(this, request);
    known.set(key, { at: performance.now(), answer });
    answer.catch(() => known.delete(key));
    return answer;
  };
}
