/**
 * The audit's view of Kafka: the topics, their partitions' offsets, and reading partitions
 * between two offsets with no consumer group's commits (lib/kafka's range reader): the archive's
 * own files hold the offsets.
 */
import {
  type KafkaClient,
  type OffsetRange,
  openAdmin,
  readRanges,
  type Watermarks,
} from "../kafka/index.ts";
import type { SourceRecord } from "./processed.ts";

export type { Watermarks };
export type PartitionRange = OffsetRange;

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

export async function kafkaSource(client: KafkaClient): Promise<Source> {
  const admin = await openAdmin(client);
  return {
    topics: () => admin.topics(),
    watermarks: (topic) => admin.watermarks(topic),
    // kafkajs pays a fixed cost per fetch response: 2 MiB a partition (6 MiB a fetch) instead of
    // 512 KiB (2 MiB) took a fifth off the fetch's CPU (bench/audit's fetch line); 4 MiB (12 MiB)
    // gained little more and took the run's peak memory to 300 MB. The broker may hold a fetch
    // 20 ms, not 500: every range ends at a high watermark read before the run, so a fetch that
    // waits is the one already under way when the last partition is done, and stopping the
    // consumer waits for it (bench/audit: 0.4-0.5 s of every run's wall time).
    read: (ranges, handlers) =>
      readRanges(client, ranges, handlers, {
        purpose: "audit",
        partitionBytes: 2 * 1024 * 1024,
        fetchBytes: 6 * 1024 * 1024,
        waitMs: 20,
        stallMs: STALL_MS,
      }),
    close: () => admin.close(),
  };
}
