/**
 * Rows → Parquet bytes: the only module that imports hyparquet-writer. Columns are typed for
 * Spark, DuckDB and pandas: offsets INT64, partition INT32, booleans BOOLEAN, the Kafka time as
 * a UTC-adjusted TIMESTAMP(MICROS), and the sender's wall-clock time as a local (not
 * UTC-adjusted) TIMESTAMP(MICROS) beside the original text. zstd (Bun's native codec) with
 * column statistics (on every column but long free text).
 */
import type { SchemaElement } from "hyparquet-writer";
import { ByteWriter, type ColumnSource, ParquetWriter } from "hyparquet-writer";

/** One record of `messages_audit`. Typed fields are null for a record that failed to decode. */
export interface AuditRow {
  room: string;
  topic: string;
  partition: number;
  offset: number;
  /** Kafka record timestamp, microseconds since the epoch (UTC). */
  kafkaTimeMicros: bigint;
  sender: string | null;
  message: string | null;
  end: boolean | null;
  /** The record's `timestamp` text exactly as sent; null when absent or the record is bad. */
  timestamp: string | null;
  /** The sender's local wall-clock time as microseconds with no zone (see processed.ts). */
  localTimeMicros: bigint | null;
  problem: string | null;
  problemDetail: string | null;
  raw: Uint8Array | null;
}

/** One row of `message_processed`, the original DAG's view. */
export interface ProcessedRow {
  room: string;
  topic: string;
  partition: number;
  offset: number;
  sender: string;
  message: string;
  end: boolean;
  /** Local wall-clock time (named `timestamp` as in the original pandas output). */
  localTimeMicros: bigint;
}

const CREATED_BY = "dchat audit";
const ZSTD_LEVEL = 3;

const string = (name: string, required: boolean): SchemaElement => ({
  name,
  type: "BYTE_ARRAY",
  converted_type: "UTF8",
  logical_type: { type: "STRING" },
  repetition_type: required ? "REQUIRED" : "OPTIONAL",
});

const utcMicros = (name: string): SchemaElement => ({
  name,
  type: "INT64",
  converted_type: "TIMESTAMP_MICROS",
  logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
  repetition_type: "REQUIRED",
});

// No converted_type: TIMESTAMP_MICROS would claim UTC, and this is a wall-clock reading.
const localMicros = (name: string, required: boolean): SchemaElement => ({
  name,
  type: "INT64",
  logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MICROS" },
  repetition_type: required ? "REQUIRED" : "OPTIONAL",
});

// No `room` column: the file sits under `room=<room>/`, and Hive-style readers (Spark, pyarrow,
// pandas) refuse a dataset whose files repeat a partition key as a column of their own.
const AUDIT_SCHEMA: SchemaElement[] = [
  { name: "schema", num_children: 12 },
  string("topic", true),
  { name: "partition", type: "INT32", repetition_type: "REQUIRED" },
  { name: "offset", type: "INT64", repetition_type: "REQUIRED" },
  utcMicros("kafka_timestamp"),
  string("sender", false),
  string("message", false),
  { name: "end", type: "BOOLEAN", repetition_type: "OPTIONAL" },
  string("timestamp", false),
  localMicros("local_time", false),
  string("problem", false),
  string("problem_detail", false),
  { name: "raw", type: "BYTE_ARRAY", repetition_type: "OPTIONAL" },
];

const PROCESSED_SCHEMA: SchemaElement[] = [
  { name: "schema", num_children: 8 },
  string("room", true),
  string("topic", true),
  { name: "partition", type: "INT32", repetition_type: "REQUIRED" },
  { name: "offset", type: "INT64", repetition_type: "REQUIRED" },
  string("sender", true),
  string("message", true),
  { name: "end", type: "BOOLEAN", repetition_type: "REQUIRED" },
  localMicros("timestamp", true),
];

/**
 * One Parquet file built a row group at a time, so only one chunk of decoded rows is alive
 * however many records the file holds. `finish` returns the file's bytes.
 */
class FileBuilder<T> {
  private readonly writer = new ByteWriter();
  private readonly parquet: ParquetWriter;

  constructor(
    schema: SchemaElement[],
    private readonly columns: (rows: readonly T[]) => ColumnSource[],
  ) {
    this.parquet = new ParquetWriter({
      writer: this.writer,
      schema,
      codec: "ZSTD",
      compressors: { ZSTD: (input: Uint8Array) => Bun.zstdCompressSync(input, { level: ZSTD_LEVEL }) },
      statistics: true,
      createdBy: CREATED_BY,
    });
  }

  /** Appends `rows` as one row group. */
  add(rows: readonly T[]): void {
    if (rows.length > 0) this.parquet.write({ columnData: this.columns(rows), rowGroupSize: rows.length });
  }

  finish(): Uint8Array {
    this.parquet.finish();
    return this.writer.getBytes();
  }
}

function column<T, V>(rows: readonly T[], pick: (row: T) => V): V[] {
  const out = new Array<V>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = pick(rows[i] as T);
  return out;
}

function int32s<T>(rows: readonly T[], pick: (row: T) => number): Int32Array {
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = pick(rows[i] as T);
  return out;
}

function int64s<T>(rows: readonly T[], pick: (row: T) => number | bigint): BigInt64Array {
  const out = new BigInt64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = BigInt(pick(rows[i] as T));
  return out;
}

// Long free text gains nothing from min/max statistics or a dictionary (its values rarely
// repeat); keys, times and flags keep both.
const noStats = { statistics: false, encoding: "PLAIN" } as const;

function auditColumns(rows: readonly AuditRow[]): ColumnSource[] {
  return [
    { name: "topic", data: column(rows, (r) => r.topic) },
    { name: "partition", data: int32s(rows, (r) => r.partition) },
    { name: "offset", data: int64s(rows, (r) => r.offset) },
    { name: "kafka_timestamp", data: int64s(rows, (r) => r.kafkaTimeMicros) },
    { name: "sender", data: column(rows, (r) => r.sender) },
    { name: "message", data: column(rows, (r) => r.message), ...noStats },
    { name: "end", data: column(rows, (r) => r.end) },
    { name: "timestamp", data: column(rows, (r) => r.timestamp), ...noStats },
    { name: "local_time", data: column(rows, (r) => r.localTimeMicros) },
    { name: "problem", data: column(rows, (r) => r.problem) },
    { name: "problem_detail", data: column(rows, (r) => r.problemDetail), ...noStats },
    { name: "raw", data: column(rows, (r) => r.raw), ...noStats },
  ];
}

function processedColumns(rows: readonly ProcessedRow[]): ColumnSource[] {
  return [
    { name: "room", data: column(rows, (r) => r.room) },
    { name: "topic", data: column(rows, (r) => r.topic) },
    { name: "partition", data: int32s(rows, (r) => r.partition) },
    { name: "offset", data: int64s(rows, (r) => r.offset) },
    { name: "sender", data: column(rows, (r) => r.sender) },
    { name: "message", data: column(rows, (r) => r.message), ...noStats },
    { name: "end", data: column(rows, (r) => r.end) },
    { name: "timestamp", data: int64s(rows, (r) => r.localTimeMicros) },
  ];
}

export const auditFile = () => new FileBuilder(AUDIT_SCHEMA, auditColumns);
export const processedFile = () => new FileBuilder(PROCESSED_SCHEMA, processedColumns);
export type { FileBuilder };
