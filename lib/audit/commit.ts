/**
 * Committing one batch of one partition: decode every record into the files' columns (encoded
 * a row group at a time), write the processed-view files first (one per local date), then the
 * raw file, all under the same offset-range name. The raw file is the commit point (offsets.ts), so a crash anywhere in
 * between leaves nothing the next run would count twice. The work up to the raw file runs in
 * the main thread or in a worker (committer.ts), the batch travelling as transferable buffers
 * (`PackedRecords`); the raw file is written by whoever orders a partition's commits.
 */
import { join } from "node:path";
import { AuditFile, ProcessedFile } from "./archive.ts";
import { crashPoint } from "./crashpoint.ts";
import { AUDIT_DIR, dataFileName, hiveDir, PROCESSED_DIR, type WriteFile, writeDurably } from "./files.ts";
import { grown } from "./grown.ts";
import { collectAfterBatch } from "./memory.ts";
import { archiveRecord, type SourceRecord } from "./processed.ts";
import { type StatsRows, StatsRowsBuilder } from "./stats-rows.ts";

/** A batch's records as four transferable arrays instead of thousands of objects. */
export interface PackedRecords {
  offsets: Float64Array;
  times: Float64Array;
  /** Value length, or -1 for a null value. */
  lengths: Int32Array;
  bytes: Uint8Array;
}

export interface CommitJob {
  out: string;
  room: string;
  topic: string;
  partition: number;
  records: PackedRecords;
  stats: boolean;
}

export interface CommitOutcome {
  rows: number;
  bad: number;
  files: number;
  /** The batch's processed messages for the statistics, when asked for (counted once committed). */
  stats: StatsRows | null;
}

/**
 * Value buffers of batches already prepared, for the packers' next batches: a fresh buffer for
 * every batch's 2 MiB of values cost a page fault per 4 KiB written (a fifth of a run's system
 * time). Whoever prepared a batch hands its buffer back (committer.ts, commit-worker.ts).
 */
const spareValues: ArrayBuffer[] = [];
const SPARE_VALUES = 4;

/** `buffer` (a prepared batch's `bytes`) is free for a later batch. */
export function reuseValues(buffer: ArrayBuffer): void {
  if (spareValues.length < SPARE_VALUES && buffer.byteLength > 0) spareValues.push(buffer);
}

/**
 * Records packed as they arrive, so a batch being collected holds only its bytes, not the
 * fetched record objects and the fetch buffers they point into.
 */
export class Packer {
  private offsets = new Float64Array(1024);
  private times = new Float64Array(1024);
  private lengths = new Int32Array(1024);
  private bytes = new Uint8Array(64 * 1024);
  count = 0;
  size = 0;

  add(record: SourceRecord): void {
    if (this.count === this.offsets.length) {
      this.offsets = grown(this.offsets, new Float64Array(this.count * 2));
      this.times = grown(this.times, new Float64Array(this.count * 2));
      this.lengths = grown(this.lengths, new Int32Array(this.count * 2));
    }
    const value = record.value;
    this.offsets[this.count] = record.offset;
    this.times[this.count] = record.timestampMs;
    this.lengths[this.count] = value === null ? -1 : value.byteLength;
    this.count++;
    if (value === null) return;
    if (this.size + value.byteLength > this.bytes.length) {
      this.bytes = grown(
        this.bytes,
        new Uint8Array(Math.max(this.bytes.length * 2, this.size + value.byteLength)),
      );
    }
    this.bytes.set(value, this.size);
    this.size += value.byteLength;
  }

  /**
   * The records added since the last take, the numbers in arrays of their exact size and the
   * values in this packer's buffer (a view of it, which goes with them); starts afresh, in a
   * spare buffer at least as large if there is one.
   */
  take(): PackedRecords {
    const packed = {
      offsets: this.offsets.slice(0, this.count),
      times: this.times.slice(0, this.count),
      lengths: this.lengths.slice(0, this.count),
      bytes: this.bytes.subarray(0, this.size),
    };
    const spare = spareValues.findIndex((buffer) => buffer.byteLength >= this.bytes.length);
    this.bytes =
      spare < 0
        ? new Uint8Array(this.bytes.length)
        : new Uint8Array(spareValues.splice(spare, 1)[0] as ArrayBuffer);
    this.count = 0;
    this.size = 0;
    return packed;
  }
}

export function pack(records: readonly SourceRecord[]): PackedRecords {
  const packer = new Packer();
  for (const record of records) packer.add(record);
  return packer.take();
}

/**
 * A batch with its processed-view files durable and its raw file encoded but not yet written:
 * writing `raw` (commitPrepared) is the batch's commit point.
 */
export interface PreparedBatch {
  rawDir: string;
  name: string;
  raw: Uint8Array;
  outcome: CommitOutcome;
}

/** Decodes and encodes the batch and writes its processed-view files; the raw file waits. */
export function prepareBatch(job: CommitJob, write: WriteFile = writeDurably): PreparedBatch {
  const { offsets, times, lengths, bytes } = job.records;
  const count = offsets.length;
  const name = dataFileName({
    topic: job.topic,
    partition: job.partition,
    first: offsets[0] as number,
    last: offsets[count - 1] as number,
  });
  const processed = new Map<string, ProcessedFile>();
  const files = {
    raw: new AuditFile(job.topic, job.partition),
    processed(date: string): ProcessedFile {
      let file = processed.get(date);
      if (file === undefined) {
        file = new ProcessedFile(job.room, job.topic, job.partition);
        processed.set(date, file);
      }
      return file;
    },
    stats: job.stats ? new StatsRowsBuilder() : null,
  };
  let bad = 0;
  let at = 0;
  for (let i = 0; i < count; i++) {
    const length = lengths[i] as number;
    const value = length < 0 ? null : bytes;
    const end = at + Math.max(length, 0);
    if (!archiveRecord(files, offsets[i] as number, times[i] as number, value, at, end)) bad++;
    at = end;
  }
  for (const [date, file] of processed) {
    write(join(job.out, PROCESSED_DIR, hiveDir("date", date)), name, file.finish(), "processed");
  }
  const raw = files.raw.finish();
  collectAfterBatch();
  return {
    rawDir: join(job.out, AUDIT_DIR, hiveDir("room", job.room)),
    name,
    raw,
    outcome: { rows: count, bad, files: processed.size + 1, stats: files.stats?.finish() ?? null },
  };
}

/** Writes the raw file: the commit point. A partition's batches must come here in offset order. */
export function commitPrepared(prepared: PreparedBatch, write: WriteFile = writeDurably): CommitOutcome {
  crashPoint("processed-before-raw");
  write(prepared.rawDir, prepared.name, prepared.raw, "raw");
  return prepared.outcome;
}

export function commitBatch(job: CommitJob, write: WriteFile = writeDurably): CommitOutcome {
  return commitPrepared(prepareBatch(job, write), write);
}
