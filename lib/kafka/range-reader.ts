/**
 * Reading partitions between two offsets, without a consumer group's commits: the caller keeps
 * the offsets (the audit in its archive's files). kafkajs only consumes through a group, so each
 * read uses a throwaway group id that never commits, seeks every partition to its range's start,
 * and deletes the group afterwards.
 *
 * "Done" means the fetch position reached the range's end, not a record count: with
 * read_committed, aborted transactional records and control markers occupy offsets but are never
 * delivered. kafkajs reports the position past such records only in its END_BATCH_PROCESS
 * instrumentation event, so progress is tracked from that event.
 */
import type { Consumer } from "kafkajs";
import { partitionKey } from "../partition-key.ts";
import { guarded, type KafkaClient, kafkajsOf } from "./client.ts";
import { failureOf, KafkaFailure } from "./failure.ts";
import type { StreamRecord } from "./room-stream.ts";
import { openAdmin } from "./topics.ts";

export interface OffsetRange {
  topic: string;
  partition: number;
  from: number;
  /** Exclusive end; a range with from >= to is only paused, never read. */
  to: number;
}

export interface RangeHandlers {
  /** Records in offset order, all within [from, to). The next fetch waits for the promise. */
  records(topic: string, partition: number, records: StreamRecord[]): Promise<void> | void;
  /** The partition reached `to`; no more records will come for it. The read waits for the promise. */
  done?(topic: string, partition: number): Promise<void> | void;
}

export interface ReadOptions {
  /** Names the throwaway group (`dchat-<purpose>-<uuid>`) for whoever lists the cluster's groups. */
  purpose?: string;
  /** Bytes fetched per partition and per request; large fetches cost less CPU per record. */
  partitionBytes?: number;
  fetchBytes?: number;
  /** How long the broker may hold a fetch that has nothing to return. */
  waitMs?: number;
  /** A partition that makes no progress for this long fails the read (a stuck broker). */
  stallMs?: number;
  /** Ends the read early, without error, when it settles (a deadline). */
  until?: Promise<unknown>;
}

/** Reads every range to its end (or until `options.until`); rejects with a KafkaFailure. */
export async function readRanges(
  client: KafkaClient,
  ranges: OffsetRange[],
  handlers: RangeHandlers,
  options: ReadOptions = {},
): Promise<void> {
  const pending = new Map(
    ranges.filter((r) => r.from < r.to).map((r) => [partitionKey(r.topic, r.partition), r]),
  );
  if (pending.size === 0) return;
  const groupId = `dchat-${options.purpose ?? "read"}-${crypto.randomUUID()}`;
  const consumer: Consumer = kafkajsOf(client).consumer({
    groupId,
    maxBytesPerPartition: options.partitionBytes ?? 1024 * 1024,
    maxBytes: options.fetchBytes ?? 10 * 1024 * 1024,
    maxWaitTimeInMs: options.waitMs ?? 500,
    retry: { retries: 5 },
  });
  // Where each partition's next record must start: a fetch that began before the seek took
  // effect may deliver records again, and they must not be handed over twice.
  const cursor = new Map(ranges.map((r) => [partitionKey(r.topic, r.partition), r.from]));
  const topics = [...new Set([...pending.values()].map((r) => r.topic))];
  const stallMs = options.stallMs ?? Number.POSITIVE_INFINITY;

  try {
    await guarded(client, () => consumer.connect());
    await new Promise<void>((resolve, reject) => {
      let lastProgress = Date.now();
      const stall = setInterval(
        () => {
          if (Date.now() - lastProgress <= stallMs) return;
          const where = [...pending.values()].map((r) => `${r.topic}[${r.partition}]`).join(", ");
          finish(new KafkaFailure("other", true, `no progress reading ${where} for ${stallMs / 1000} s`));
        },
        Math.min(5_000, stallMs),
      );
      const finishing: Promise<void>[] = [];
      let finished = false;
      const finish = (error?: unknown) => {
        if (finished) return;
        finished = true;
        clearInterval(stall);
        if (error !== undefined) reject(failureOf(error, { tls: client.settings.ssl !== false }) ?? error);
        else Promise.all(finishing).then(() => resolve(), reject);
      };
      options.until?.then(
        () => finish(),
        () => finish(),
      );
      const advance = (topic: string, partition: number, position: number) => {
        lastProgress = Date.now();
        const range = pending.get(partitionKey(topic, partition));
        if (range === undefined || position < range.to) return;
        pending.delete(partitionKey(topic, partition));
        consumer.pause([{ topic, partitions: [partition] }]);
        const flushed = Promise.resolve(handlers.done?.(topic, partition));
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
              const records: StreamRecord[] = [];
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
              // Nothing to read there: never fetch it.
              consumer.pause([{ topic: range.topic, partitions: [range.partition] }]);
            }
          }
        })
        .catch(finish);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    const admin = await openAdmin(client).catch(() => undefined);
    await admin?.forgetGroups([groupId]);
    await admin?.close();
  }
}
