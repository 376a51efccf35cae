/**
 * The Kafka adapter, the only code that imports kafkajs: clients (client.ts), failures as kinds
 * (failure.ts), delivery and failover bounds (delivery.ts). Commands import from here.
 */
import { AssignerProtocol, type Kafka, type PartitionAssigner, type Producer } from "kafkajs";
import type { KafkaSettings } from "../config.ts";
import { type ConnectOptions, kafkajsOf, openKafka } from "./client.ts";
import { outlastFailover } from "./delivery.ts";
import { failureOf } from "./failure.ts";

export {
  type ConnectOptions,
  guarded,
  type KafkaClient,
  kafkajsOf,
  type LogEntry,
  type LogLevel,
  openKafka,
} from "./client.ts";
export { DELIVERY_TIMEOUT_MS, deliveryRetry, outlastFailover, within } from "./delivery.ts";
export {
  deliveryTimeout,
  type FailureCode,
  failureMessage,
  failureOf,
  isKafkaFailure,
  KafkaFailure,
  kafkaFailure,
} from "./failure.ts";

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

/** The kafkajs client of openKafka(settings, options). */
export function connectKafka(settings: KafkaSettings, options: ConnectOptions = {}): Kafka {
  return kafkajsOf(openKafka(settings, options));
}

/** Failures kafkajs raises, and ours; anything else escaping a Kafka call is a bug of ours. */
export function isKafkaError(error: unknown): boolean {
  return failureOf(error) !== undefined;
}

/** A log hook that remembers the last failure kafkajs retried a produce on. */
export function producerErrors(): {
  log: (entry: { level: string; source: string; message: string }) => void;
  last: () => string | undefined;
} {
  let last: string | undefined;
  return {
    log: (entry) => {
      if (entry.level === "error" && entry.source.endsWith("Producer"))
        last = entry.message.replace(/^Failed to send messages: /, "");
    },
    last: () => last,
  };
}

/**
 * Connects a producer, retrying while brokers fail. kafkajs asks the broker the metadata names as
 * controller for the idempotent producer's id and gives up at once when that broker is down; a
 * new connection fetches the metadata again, which names a live broker sooner or later.
 */
export function connectProducer(producer: Producer): Promise<void> {
  return outlastFailover(
    () => producer.connect(),
    () => producer.disconnect(),
  );
}

/**
 * Creates the topic when missing; an existing topic is left as it is (its partition count
 * included). It asks for the topic list first, which any live broker answers: kafkajs's
 * createTopics gives up at once when the broker it takes for the controller is down.
 */
export async function ensureTopic(kafka: Kafka, topic: string, partitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await outlastFailover(async () => {
      try {
        if ((await admin.listTopics()).includes(topic)) return;
        await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
      } catch (error) {
        // Another client may create it between our metadata check and our request.
        if (failureOf(error)?.code !== "topic-exists") throw error;
      }
    });
  } finally {
    await admin.disconnect();
  }
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
