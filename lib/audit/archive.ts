/**
 * The archive's two kinds of Parquet file, filled a record at a time. Columns are typed for
 * Spark, DuckDB and pandas: offsets INT64, partition INT32, booleans BOOLEAN, the Kafka time as
 * a UTC-adjusted TIMESTAMP(MICROS), and the sender's wall-clock time as a local (not
 * UTC-adjusted) TIMESTAMP(MICROS) beside the original text. zstd with column statistics on
 * every column but long free text; row groups of ROW_GROUP rows.
 */
import type { ChatRecord, Parsed } from "../wire.ts";
import type { Scanned } from "../wire-fast.ts";
import type { Micros } from "./micros.ts";
import { ParquetFile } from "./parquet/file.ts";
import {
  BOOLEAN,
  BYTES,
  column,
  DICTIONARY,
  INT32,
  INT64,
  LOCAL_MICROS,
  PLAIN_BOOLEAN,
  PLAIN_BYTES,
  PLAIN_INT,
  STRING,
  UTC_MICROS,
} from "./parquet/schema.ts";

/** Rows per row group: large enough for readers to skip by statistics, small enough to hold. */
export const ROW_GROUP = 10_000;

const FILE_OPTIONS = { createdBy: "dchat audit", rowGroupRows: ROW_GROUP };
const STATISTICS = true;
// Long free text rarely repeats; bounds of it help no reader.
const NO_STATISTICS = false;

// No `room` column: the file sits under `room=<room>/`, and Hive-style readers (Spark, pyarrow,
// pandas) refuse a dataset whose files repeat a partition key as a column of their own.
const AUDIT = {
  topic: column(STRING, "REQUIRED", DICTIONARY, STATISTICS),
  partition: column(INT32, "REQUIRED", PLAIN_INT, STATISTICS),
  offset: column(INT64, "REQUIRED", PLAIN_INT, STATISTICS),
  kafka_timestamp: column(UTC_MICROS, "REQUIRED", PLAIN_INT, STATISTICS),
  sender: column(STRING, "OPTIONAL", DICTIONARY, STATISTICS),
  message: column(STRING, "OPTIONAL", PLAIN_BYTES, NO_STATISTICS),
  end: column(BOOLEAN, "OPTIONAL", PLAIN_BOOLEAN, STATISTICS),
  timestamp: column(STRING, "OPTIONAL", PLAIN_BYTES, NO_STATISTICS),
  local_time: column(LOCAL_MICROS, "OPTIONAL", PLAIN_INT, STATISTICS),
  problem: column(STRING, "OPTIONAL", DICTIONARY, STATISTICS),
  problem_detail: column(STRING, "OPTIONAL", PLAIN_BYTES, NO_STATISTICS),
  raw: column(BYTES, "OPTIONAL", PLAIN_BYTES, NO_STATISTICS),
};

const PROCESSED = {
  room: column(STRING, "REQUIRED", DICTIONARY, STATISTICS),
  topic: column(STRING, "REQUIRED", DICTIONARY, STATISTICS),
  partition: column(INT32, "REQUIRED", PLAIN_INT, STATISTICS),
  offset: column(INT64, "REQUIRED", PLAIN_INT, STATISTICS),
  sender: column(STRING, "REQUIRED", DICTIONARY, STATISTICS),
  message: column(STRING, "REQUIRED", PLAIN_BYTES, NO_STATISTICS),
  end: column(BOOLEAN, "REQUIRED", PLAIN_BOOLEAN, STATISTICS),
  timestamp: column(LOCAL_MICROS, "REQUIRED", PLAIN_INT, STATISTICS),
};

/** A file of `messages_audit`: every record, bad ones with their raw bytes and problem. */
export class AuditFile {
  private readonly file = new ParquetFile(AUDIT, FILE_OPTIONS);
  private readonly c = this.file.columns;

  constructor(
    private readonly topicName: string,
    private readonly partitionNumber: number,
  ) {}

  private key(offset: number, kafkaTimeMs: number): void {
    this.c.topic.push(this.topicName);
    this.c.partition.push(this.partitionNumber);
    this.c.offset.push(offset);
    this.c.kafka_timestamp.push(kafkaTimeMs * 1000);
  }

  /** A decoded record; `localTime` is the sender's wall-clock time (processed.ts). */
  add(offset: number, kafkaTimeMs: number, record: ChatRecord, localTime: Micros): void {
    const c = this.c;
    this.key(offset, kafkaTimeMs);
    c.sender.push(record.sender);
    c.message.push(record.message);
    c.end.push(record.end);
    c.timestamp.push(record.timestamp.length === 0 ? null : record.timestamp);
    this.rest(localTime);
  }

  /** `add` of a record the fast decoder read (wire-fast.ts): its texts are UTF-8 bytes already. */
  addScanned(offset: number, kafkaTimeMs: number, record: Scanned, localTime: Micros): void {
    const c = this.c;
    this.key(offset, kafkaTimeMs);
    c.sender.push(record.sender);
    c.message.pushRange(record.text, record.messageStart, record.messageEnd);
    c.end.push(record.end);
    if (record.timestampEnd === record.timestampStart) c.timestamp.push(null);
    else c.timestamp.pushRange(record.text, record.timestampStart, record.timestampEnd);
    this.rest(localTime);
  }

  private rest(localTime: Micros): void {
    const c = this.c;
    c.local_time.push(localTime);
    c.problem.push(null);
    c.problem_detail.push(null);
    c.raw.push(null);
    this.file.rowAdded();
  }

  /** A record that failed to decode: kept with its bytes and what was wrong. */
  addBad(offset: number, kafkaTimeMs: number, bad: Extract<Parsed, { ok: false }>): void {
    const c = this.c;
    this.key(offset, kafkaTimeMs);
    c.sender.push(null);
    c.message.push(null);
    c.end.push(null);
    c.timestamp.push(null);
    c.local_time.push(null);
    c.problem.push(bad.problem);
    c.problem_detail.push(bad.detail);
    c.raw.push(bad.raw);
    this.file.rowAdded();
  }

  finish(): Uint8Array {
    return this.file.finish();
  }
}

/** A file of `message_processed`: the original DAG's view of one local date's messages. */
export class ProcessedFile {
  private readonly file = new ParquetFile(PROCESSED, FILE_OPTIONS);
  private readonly c = this.file.columns;

  constructor(
    private readonly roomName: string,
    private readonly topicName: string,
    private readonly partitionNumber: number,
  ) {}

  add(offset: number, sender: string, message: string, localTime: Micros): void {
    this.key(offset, sender);
    this.c.message.push(message);
    this.rest(localTime);
  }

  /** `add` of a message that is bytes [start, end) of `source`. */
  addRange(
    offset: number,
    sender: string,
    source: Buffer,
    start: number,
    end: number,
    localTime: Micros,
  ): void {
    this.key(offset, sender);
    this.c.message.pushRange(source, start, end);
    this.rest(localTime);
  }

  private key(offset: number, sender: string): void {
    const c = this.c;
    c.room.push(this.roomName);
    c.topic.push(this.topicName);
    c.partition.push(this.partitionNumber);
    c.offset.push(offset);
    c.sender.push(sender);
  }

  private rest(localTime: Micros): void {
    this.c.end.push(false);
    this.c.timestamp.push(localTime);
    this.file.rowAdded();
  }

  finish(): Uint8Array {
    return this.file.finish();
  }
}
