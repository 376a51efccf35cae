/**
 * The archive's two kinds of Parquet file, filled a record at a time. Columns are typed for
 * Spark, DuckDB and pandas: offsets INT64, partition INT32, booleans BOOLEAN, the Kafka time as
 * a UTC-adjusted TIMESTAMP(MICROS), and the sender's wall-clock time as a local (not
 * UTC-adjusted) TIMESTAMP(MICROS) beside the original text. zstd with column statistics (on
 * every column but long free text); row groups of ROW_GROUP rows.
 */
import type { SchemaElement } from "hyparquet-writer";
import type { ChatRecord, Parsed } from "../wire.ts";
import type { Micros } from "./micros.ts";
import { BooleanColumn, DictionaryColumn, IntColumn, ParquetFile, PlainColumn } from "./parquet.ts";

/** Rows per row group: large enough for readers to skip by statistics, small enough to hold. */
export const ROW_GROUP = 10_000;

const FILE_OPTIONS = { createdBy: "dchat audit", rowGroupRows: ROW_GROUP };

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

const column = (schema: SchemaElement[], index: number) => schema[index] as SchemaElement;

/** A file of `messages_audit`: every record, bad ones with their raw bytes and problem. */
export class AuditFile {
  private readonly topic = new DictionaryColumn(column(AUDIT_SCHEMA, 1));
  private readonly partition = new IntColumn(column(AUDIT_SCHEMA, 2));
  private readonly offset = new IntColumn(column(AUDIT_SCHEMA, 3));
  private readonly kafkaTime = new IntColumn(column(AUDIT_SCHEMA, 4));
  private readonly sender = new DictionaryColumn(column(AUDIT_SCHEMA, 5));
  private readonly message = new PlainColumn(column(AUDIT_SCHEMA, 6));
  private readonly end = new BooleanColumn(column(AUDIT_SCHEMA, 7));
  private readonly timestamp = new PlainColumn(column(AUDIT_SCHEMA, 8));
  private readonly localTime = new IntColumn(column(AUDIT_SCHEMA, 9));
  private readonly problem = new DictionaryColumn(column(AUDIT_SCHEMA, 10));
  private readonly problemDetail = new PlainColumn(column(AUDIT_SCHEMA, 11));
  private readonly raw = new PlainColumn(column(AUDIT_SCHEMA, 12));
  private readonly file = new ParquetFile(
    AUDIT_SCHEMA,
    [
      this.topic,
      this.partition,
      this.offset,
      this.kafkaTime,
      this.sender,
      this.message,
      this.end,
      this.timestamp,
      this.localTime,
      this.problem,
      this.problemDetail,
      this.raw,
    ],
    FILE_OPTIONS,
  );

  constructor(
    private readonly topicName: string,
    private readonly partitionNumber: number,
  ) {}

  private key(offset: number, kafkaTimeMs: number): void {
    this.topic.push(this.topicName);
    this.partition.push(this.partitionNumber);
    this.offset.push(offset);
    this.kafkaTime.push(kafkaTimeMs * 1000);
  }

  /**
   * A decoded record, its message as text or as UTF-8 bytes (wire-fast.ts); `localTime` is the
   * sender's wall-clock time (processed.ts).
   */
  add(
    offset: number,
    kafkaTimeMs: number,
    record: Omit<ChatRecord, "message"> & { message: string | Uint8Array },
    localTime: Micros,
  ): void {
    this.key(offset, kafkaTimeMs);
    this.sender.push(record.sender);
    this.message.push(record.message);
    this.end.push(record.end);
    this.timestamp.push(record.timestamp === "" ? null : record.timestamp);
    this.localTime.push(localTime);
    this.problem.push(null);
    this.problemDetail.push(null);
    this.raw.push(null);
    this.file.rowAdded();
  }

  /** A record that failed to decode: kept with its bytes and what was wrong. */
  addBad(offset: number, kafkaTimeMs: number, bad: Extract<Parsed, { ok: false }>): void {
    this.key(offset, kafkaTimeMs);
    this.sender.push(null);
    this.message.push(null);
    this.end.push(null);
    this.timestamp.push(null);
    this.localTime.push(null);
    this.problem.push(bad.problem);
    this.problemDetail.push(bad.detail);
    this.raw.push(bad.raw);
    this.file.rowAdded();
  }

  finish(): Uint8Array {
    return this.file.finish();
  }
}

/** A file of `message_processed`: the original DAG's view of one local date's messages. */
export class ProcessedFile {
  private readonly room = new DictionaryColumn(column(PROCESSED_SCHEMA, 1));
  private readonly topic = new DictionaryColumn(column(PROCESSED_SCHEMA, 2));
  private readonly partition = new IntColumn(column(PROCESSED_SCHEMA, 3));
  private readonly offset = new IntColumn(column(PROCESSED_SCHEMA, 4));
  private readonly sender = new DictionaryColumn(column(PROCESSED_SCHEMA, 5));
  private readonly message = new PlainColumn(column(PROCESSED_SCHEMA, 6));
  private readonly end = new BooleanColumn(column(PROCESSED_SCHEMA, 7));
  private readonly timestamp = new IntColumn(column(PROCESSED_SCHEMA, 8));
  private readonly file = new ParquetFile(
    PROCESSED_SCHEMA,
    [this.room, this.topic, this.partition, this.offset, this.sender, this.message, this.end, this.timestamp],
    FILE_OPTIONS,
  );

  constructor(
    private readonly roomName: string,
    private readonly topicName: string,
    private readonly partitionNumber: number,
  ) {}

  add(offset: number, sender: string, message: string | Uint8Array, localTime: Micros): void {
    this.room.push(this.roomName);
    this.topic.push(this.topicName);
    this.partition.push(this.partitionNumber);
    this.offset.push(offset);
    this.sender.push(sender);
    this.message.push(message);
    this.end.push(false);
    this.timestamp.push(localTime);
    this.file.rowAdded();
  }

  finish(): Uint8Array {
    return this.file.finish();
  }
}
