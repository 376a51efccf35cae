/**
 * Reading partitions from Kafka between two offsets, without a consumer group's commits: the
 * archive's own files hold the offsets. kafkajs only consumes through a group, so each run uses
 * a throwaway group id that never commits, seeks every partition to where the archive ends,
 * and deletes the group afterwards.
 *
 * "Done" means the fetch position reached the end offset taken at the start of the run, not a
 * record count: with read_committed, aborted transactional records and control markers occupy
 * offsets but are never delivered. kafkajs reports the position past such records only in its
 * END_BATCH_PROCESS instrumentation event, so progress is tracked from that event.
 */
import type { Admin, Kafka } from "../kafka/index.ts";
import { partitionKey } from "../partition-key.ts";
import type { SourceRecord } from "./processed.ts";

export interface Watermarks {
  partition: number;
  /** Log start offset: the oldest offset still stored. */
  low: number;
  /** Last stable offset (read_committed end of the log). */
  high: number;
}

export interface PartitionRange {
  topic: string;
  partition: number;
  from: number;
  /** Exclusive end; a range with from >= to is only paused, never read. */
  to: number;
}

export interface ReadHandlers {
  /** Records in offset order, all within [from, to). The next fetch waits for the promise. */
  records(topic: string, partition: number, records: SourceRecord[]): Promise<void> | void;
  /** The partition reached `to`; no more records will come for it. `read` waits for the promise. */
  done(topic: string, partition: number): Promise<void> | void;
}

export interface Source {
  topics(): Promise<string[]>;
  watermarks(topic: string): Promise<Watermarks[]>;
  read(ranges: PartitionRange[], handlers: ReadHandlers): Promise<void>;
  close(): Promise<void>;
}

// A partition that makes no progress for this long is a stuck broker, not a slow one.
const STALL_MS = 120_000;

export async function kafkaSource(kafka: Kafka): Promise<Source> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  return {
    async topics() {
      return admin.listTopics();
    },
    async watermarks(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets
        .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
        .sort((a, b) => a.partition - b.partition);
    },
    read: (ranges, handlers) => readRanges(kafka, admin, ranges, handlers),
    async close() {
      await admin.disconnect();
    },
  };
}

async function readRanges(kafka: Kafka, admin: Admin, ranges: PartitionRange[], handlers: ReadHandlers) {
  const groupId = `dchat-audit-${crypto.randomUUID()}`;
  // kafkajs pays a fixed cost per fetch response: 2 MiB a partition (6 MiB a fetch) instead of
  // 512 KiB (2 MiB) took a fifth off the fetch's CPU (bench/audit's fetch line); 4 MiB (12 MiB)
  // gained little more and took the run's peak memory to 300 MB.
  const consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxBytes: 6 * 1024 * 1024,
    maxWaitTimeInMs: 500,
    retry: { retries: 5 },
  });
  const pending = new Map(
    ranges.filter((r) => r.from < r.to).map((r) => [partitionKey(r.topic, r.partition), r]),
  );
  // Where each partition's next record must start: a fetch that began before the seek took
  // effect may deliver records again, and they must not be archived twice.
  const cursor = new Map(ranges.map((r) => [partitionKey(r.topic, r.partition), r.from]));
  const topics = [...new Set([...pending.values()].map((r) => r.topic))];
  if (pending.size === 0) return;

  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      let lastProgress = Date.now();
      const stall = setInterval(() => {
        if (Date.now() - lastProgress > STALL_MS) {
          reject(
            new Error(
              `no progress reading ${[...pending.values()].map((r) => `${r.topic}[${r.partition}]`).join(", ")}`,
            ),
          );
        }
      }, 5_000);
      const finishing: Promise<void>[] = [];
      const finish = (error?: unknown) => {
        clearInterval(stall);
        if (error !== undefined) reject(error);
        else Promise.all(finishing).then(() => resolve(), reject);
      };
      const advance = (topic: string, partition: number, position: number) => {
        lastProgress = Date.now();
        const range = pending.get(partitionKey(topic, partition));
        if (range === undefined || position < range.to) return;
        pending.delete(partitionKey(topic, partition));
        consumer.pause([{ topic, partitions: [partition] }]);
        const flushed = Promise.resolve(handlers.done(topic, partition));
        flushed.catch(() => undefined);
        finishing.push(flushed);
        if (pending.size === 0) finish();
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        advance(payload.topic, payload.partition, Number(payload.lastOffset) + 1);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => finish(payload.error));

      consumer
        .subscribe({ topics, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const k = partitionKey(batch.topic, batch.partition);
              const range = pending.get(k);
              if (range === undefined) return;
              let next = cursor.get(k) ?? range.from;
              const records: SourceRecord[] = [];
              for (const message of batch.messages) {
                const offset = Number(message.offset);
                if (offset < next || offset >= range.to) continue;
                records.push({ offset, timestampMs: Number(message.timestamp), value: message.value });
                next = offset + 1;
              }
              cursor.set(k, next);
              if (records.length > 0) await handlers.records(batch.topic, batch.partition, records);
            },
          }),
        )
        .then(() => {
          for (const range of ranges.filter((r) => topics.includes(r.topic))) {
            if (pending.has(partitionKey(range.topic, range.partition))) {
              consumer.seek({ topic: range.topic, partition: range.partition, offset: String(range.from) });
            } else {
              // Nothing new there: never fetch it.
              consumer.pause([{ topic: range.topic, partitions: [range.partition] }]);
            }
          }
        })
        .catch(finish);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}
