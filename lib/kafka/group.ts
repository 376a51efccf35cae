/**
 * One member of a consumer group that commits nothing on its own: its user decides where each
 * assigned partition starts and commits offsets inside its own transactions (transaction.ts).
 * The bot's replicas are such members (lib/bot/membership.ts).
 *
 * A new assignment is paused as it arrives, before anything of it is fetched: nothing is read
 * until the user has said where each partition starts (`startAt`). Batches of a partition that
 * is no longer assigned (a rebalance) are not handed over; a batch the user leaves unread is
 * fetched again.
 *
 * A member that crashes stays down: kafkajs would restart it a few seconds later as a new member
 * of the group, with the same handlers, whether or not its user has left meanwhile — and a user
 * that has left and rejoined then shares the group with that restarted member, which is handed
 * partitions nobody reads and heartbeats for as long as the process lives. Rejoining is the
 * user's (lib/bot/run.ts), with a member of its own.
 */
import type { Consumer } from "kafkajs";
import { type AssignPartitions, customAssigner } from "./assigner.ts";
import { guarded, type KafkaClient, kafkajsOf } from "./client.ts";
import { failureOf, KafkaFailure } from "./failure.ts";
import type { Position } from "./transaction.ts";

/** Topic → partitions. */
export type Assignment = Record<string, number[]>;

export interface FetchedRecord {
  offset: string;
  /** Milliseconds since the epoch, as text. */
  timestamp: string;
  value: Buffer | null;
  /** Written inside a transaction, which may since have committed, be open still, or have aborted. */
  transactional: boolean;
}

/** Records of one partition, in order. */
export interface FetchedBatch {
  topic: string;
  partition: number;
  /** The partition's next offset to be written, when fetched. */
  highWatermark: string;
  records: FetchedRecord[];
}

export interface MemberHandlers {
  /** The group gave this member `assignment`, all of it paused until `member.startAt`. */
  assigned(assignment: Assignment, member: GroupMember): void;
  /** "read": fetch on past it; "unread": it is fetched again. */
  batch(batch: FetchedBatch): Promise<"read" | "unread">;
  /** The member is alive in the group. */
  heartbeat(): void;
  /** The member failed and is out of the group for good (`leave` still disconnects it). */
  crashed(failure: KafkaFailure): void;
}

export interface GroupOptions {
  groupId: string;
  topics: string[];
  /** The group's assignment, computed by its leader over the members' ids and all partitions. */
  assigner: { name: string; assign: AssignPartitions };
  /** A member silent for this long (killed, frozen) loses its partitions. */
  sessionTimeoutMs: number;
  handlers: MemberHandlers;
}

export interface GroupMember {
  /** Moves each partition to its position and resumes fetching it (nothing, once stopped). */
  startAt(positions: Position[]): void;
  /** Stops fetching from every topic; batches already fetched are still handed over. */
  pause(): void;
  /** Leaves the group. */
  leave(): Promise<void>;
  /** This member's id in the group, once it has joined. */
  readonly memberId: string | undefined;
}

/** Joins the group and starts fetching; rejects with a KafkaFailure when it cannot. */
export async function joinGroup(client: KafkaClient, options: GroupOptions): Promise<GroupMember> {
  const { handlers, topics } = options;
  const consumer: Consumer = kafkajsOf(client).consumer({
    groupId: options.groupId,
    // Every record up to the high watermark, including those of transactions still open or
    // aborted (each marked `transactional`). Read committed, a partition would show nothing
    // past its oldest open transaction — and the bot's own answer transactions keep one open
    // on the very partitions it reads, so each question would wait for the commit before it.
    readUncommitted: true,
    partitionAssigners: [customAssigner(options.assigner.name, options.assigner.assign)],
    sessionTimeout: options.sessionTimeoutMs,
    rebalanceTimeout: options.sessionTimeoutMs * 2,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 500,
    allowAutoTopicCreation: false,
    retry: { restartOnFailure: async () => false },
  });
  // kafkajs refuses seek, pause and resume once its consumer has stopped (a crash stops it before
  // reporting it); a stopped member fetches nothing anyway.
  let stopped = false;
  let memberId: string | undefined;
  const member: GroupMember = {
    get memberId() {
      return memberId;
    },
    startAt(positions) {
      if (stopped) return;
      for (const { topic, partition, offset } of positions) consumer.seek({ topic, partition, offset });
      const byTopic = new Map<string, number[]>();
      for (const { topic, partition } of positions)
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
      if (byTopic.size > 0)
        consumer.resume([...byTopic].map(([topic, partitions]) => ({ topic, partitions })));
    },
    pause() {
      if (!stopped) consumer.pause(topics.map((topic) => ({ topic })));
    },
    leave: () => consumer.disconnect(),
  };
  consumer.on(consumer.events.STOP, () => {
    stopped = true;
  });
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    handlers.crashed(failureOf(payload.error) ?? new KafkaFailure("other", false, String(payload.error))),
  );
  consumer.on(consumer.events.HEARTBEAT, () => handlers.heartbeat());
  // kafkajs emits this synchronously before it fetches for the new assignment: pause it all first.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    memberId = payload.memberId;
    const assignment: Assignment = payload.memberAssignment;
    const partitions = Object.entries(assignment).map(([topic, list]) => ({ topic, partitions: list }));
    if (partitions.length > 0) consumer.pause(partitions);
    handlers.assigned(assignment, member);
  });
  try {
    await guarded(client, async () => {
      await consumer.connect();
      // Where each partition starts is decided by the user (startAt).
      await consumer.subscribe({ topics, fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // Every partition's batch of a fetch is handed over at once, so one transaction can take them.
        partitionsConsumedConcurrently: 64,
        eachBatch: async ({ batch, resolveOffset, isStale }) => {
          const last = batch.messages.at(-1);
          if (last === undefined || isStale()) return;
          const { topic, partition, highWatermark, messages } = batch;
          const records = messages.map((message) => ({
            offset: message.offset,
            timestamp: message.timestamp,
            value: message.value,
            transactional: inTransaction(message),
          }));
          const verdict = await handlers.batch({ topic, partition, highWatermark, records });
          if (verdict === "read") resolveOffset(last.offset);
        },
      });
    });
  } catch (error) {
    // A topic deleted between listing and subscribing, a broker gone: leave nothing connected.
    await consumer.disconnect().catch(() => {});
    throw error;
  }
  return member;
}

/** kafkajs hands each record its batch's header as `batchContext`, which its types leave out. */
function inTransaction(record: object): boolean {
  const context = (record as { batchContext?: { inTransaction?: unknown } }).batchContext;
  return context?.inTransaction === true;
}
