/**
 * A live stream of one topic from "the last N records" on: every record each partition holds
 * from max(low, high − N), then the records written while it runs, for as long as it runs.
 * Every reader must see every record, so streams never share a consumer group: kafkajs needs one
 * to consume at all, so each stream uses its own (`dchat-chat-<uuid>`), commits no offsets, and
 * deletes it on close. Even a process killed with SIGKILL leaves only an empty group without
 * offsets, which the broker's group expiry removes.
 *
 * Without committed offsets, kafkajs starts a group it (re)joins at the log end: after a
 * rebalance or a consumer restart (a broker failure causes both) the records written meanwhile
 * would be skipped. So the stream keeps its own position per partition and seeks there on every
 * group join, and drops records below it (a batch in flight during the rejoin).
 */
import { randomUUID } from "node:crypto";
import type { Consumer } from "kafkajs";
import { guarded, type KafkaClient, kafkajsOf } from "./client.ts";
import { failureOf } from "./failure.ts";
import { openAdmin } from "./topics.ts";

/** A live batch this large is a flood, not people typing; the stream then rests FLOOD_REST_MS. */
const FLOOD_BATCH = 20;
const FLOOD_REST_MS = 25;

export interface StreamRecord {
  offset: number;
  timestampMs: number;
  value: Buffer | null;
}

export interface StreamHandlers {
  /** Records of one partition in offset order; `live`: written after the stream started. */
  records(records: StreamRecord[], live: boolean): void;
  /** Fetching works again, or not (with the reason); reported as the client sees it change. */
  status(status: "connected" | "reconnecting", reason?: string): void;
}

export interface TopicStream {
  /** Resolves once the records before the start (the history) have been handed to `records`. */
  historyLoaded: Promise<void>;
  /** Stops reading, deletes the stream's consumer group, disconnects. Never rejects. */
  close(): Promise<void>;
  /** The stream's own consumer group (gone after close). */
  groupId: string;
}

function reasonOf(error: unknown): string {
  const failure = failureOf(error);
  if (failure !== undefined) return failure.detail;
  return ((error as { message?: string })?.message ?? String(error)).split("\n")[0] ?? "unknown error";
}

export async function followTopic(
  client: KafkaClient,
  topic: string,
  history: number,
  handlers: StreamHandlers,
): Promise<TopicStream> {
  const groupId = `dchat-chat-${randomUUID()}`;
  const admin = await openAdmin(client);
  const consumer: Consumer = kafkajsOf(client).consumer({
    groupId,
    allowAutoTopicCreation: false,
    // Small fetches: a backlog arrives as many short batches, so decoding one never holds up
    // the keyboard for long (a 1 MiB fetch is ~10,000 records decoded in one go).
    maxBytesPerPartition: 128 * 1024,
    maxBytes: 512 * 1024,
    // Closing waits for the fetch in flight: kafkajs's 5 s long poll made `close` take up to
    // 5 s, past the chat's leave bound, so the group was not deleted. 500 ms is kafka-python's
    // default, the original client's idle fetch rate.
    maxWaitTimeInMs: 500,
    // A stream keeps trying: its reader says it is reconnecting.
    retry: {
      retries: Number.MAX_SAFE_INTEGER,
      initialRetryTime: 300,
      maxRetryTime: 5000,
      restartOnFailure: async () => true,
    },
  });
  // The partitions' leaders answer this: retried (with fresh metadata) while one is dead.
  const offsets = await admin.watermarks(topic, { throughFailover: true }).catch(async (error: unknown) => {
    await admin.close();
    throw error;
  });
  /** Offsets at or past these were written after the start. */
  const liveFrom = new Map(offsets.map((o) => [o.partition, o.high]));
  // The next offset to hand over per partition; the first join seeks to the history's start.
  const position = new Map(offsets.map((o) => [o.partition, Math.max(o.low, o.high - history)]));

  consumer.on(consumer.events.FETCH, () => handlers.status("connected"));
  consumer.on(consumer.events.GROUP_JOIN, () => {
    // Emitted inside kafkajs's join, before its first fetch: the seeks apply to that fetch.
    for (const [partition, offset] of position) consumer.seek({ topic, partition, offset: String(offset) });
    handlers.status("connected");
  });
  consumer.on(consumer.events.CRASH, (event) =>
    handlers.status("reconnecting", reasonOf(event.payload.error)),
  );
  consumer.on(consumer.events.REQUEST_TIMEOUT, () => handlers.status("reconnecting", "request timed out"));

  // Partitions whose history is still being read, with the offset that ends it.
  const historyEnds = new Map<number, number>();
  let historyDone!: () => void;
  const historyLoaded = new Promise<void>((resolve) => {
    historyDone = resolve;
  });
  for (const { partition, high } of offsets) {
    if ((position.get(partition) ?? 0) < high) historyEnds.set(partition, high);
  }
  if (historyEnds.size === 0) historyDone();

  const close = async () => {
    await consumer.disconnect().catch(() => {});
    await admin.forgetGroups([groupId]);
    await admin.close();
  };
  try {
    await guarded(client, async () => {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const from = liveFrom.get(batch.partition) ?? 0;
          let next = position.get(batch.partition) ?? 0;
          const old: StreamRecord[] = [];
          const fresh: StreamRecord[] = [];
          for (const message of batch.messages) {
            const offset = Number(message.offset);
            if (offset < next) continue;
            next = offset + 1;
            (offset < from ? old : fresh).push({
              offset,
              timestampMs: Number(message.timestamp),
              value: message.value,
            });
          }
          position.set(batch.partition, next);
          if (old.length) handlers.records(old, false);
          if (fresh.length) handlers.records(fresh, true);
          // A flood: the broker answers each fetch at once with the few records written since
          // the last, so the stream would fetch (and the chat update) hundreds of times a second.
          // Resting a moment lets the next fetch carry many; people typing never fill a batch.
          if (fresh.length >= FLOOD_BATCH) await new Promise((rest) => setTimeout(rest, FLOOD_REST_MS));
          const end = historyEnds.get(batch.partition);
          // Past the markers too: the last offset of the batch, delivered or not.
          if (end !== undefined && Number(batch.lastOffset()) + 1 >= end) {
            historyEnds.delete(batch.partition);
            if (historyEnds.size === 0) historyDone();
          }
        },
      });
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { groupId, historyLoaded, close };
}
