/**
 * Pure record logic of the audit: a Kafka record becomes an `messages_audit` row, and an audit
 * row becomes (or not) a row of the original DAG's processed view: no `[INFO]` rows, no `end`
 * rows, newlines replaced by spaces, dated by the sender's local wall-clock day.
 *
 * Local time: the original clients wrote `datetime.now().isoformat()`, a wall-clock reading with
 * no zone. It is kept as that reading (microseconds included), not converted through the
 * auditor's zone. A timestamp that carries a zone, or none at all (the oldest client; then the
 * Kafka time is used), is shown in the auditor's local zone, the closest honest reading.
 */
import { decode, INFO_SENDER, parseWallClock, type WallClock } from "../wire.ts";
import type { AuditRow, ProcessedRow } from "./archive.ts";

export interface SourceRecord {
  offset: number;
  timestampMs: number;
  value: Uint8Array | null;
}

function localWallMicros(instantMs: number): bigint {
  const offsetMinutes = new Date(instantMs).getTimezoneOffset();
  return BigInt(instantMs - offsetMinutes * 60_000) * 1000n;
}

/** Milliseconds of a reading's whole seconds, its fields taken as UTC (no zone applied). */
function readingSecondsMs(w: WallClock): number {
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  return w.year >= 100
    ? Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
    : new Date(0).setUTCFullYear(w.year, w.month - 1, w.day) +
        ((w.hour * 60 + w.minute) * 60 + w.second) * 1000;
}

/** A wall-clock reading as microseconds held in UTC fields. */
function readingMicros(w: WallClock): bigint {
  const ms = readingSecondsMs(w);
  // Exact in floating point up to ±9e15 µs (years 1685-2255); BigInt arithmetic beyond.
  return Math.abs(ms) < 9e12 ? BigInt(ms * 1000 + w.micros) : BigInt(ms) * 1000n + BigInt(w.micros);
}

/**
 * The sender's wall-clock time as zone-less microseconds (UTC fields hold the reading). A
 * timestamp with a zone is the instant it names, read on the auditor's clock.
 */
export function clockMicros(w: WallClock): bigint {
  if (w.offsetMinutes === null) return readingMicros(w);
  return localWallMicros(readingSecondsMs(w) + Math.floor(w.micros / 1000) - w.offsetMinutes * 60_000);
}

/** `clockMicros` of a timestamp's text; none, or one that is not a real date, is the Kafka time. */
export function wallClockMicros(text: string, fallbackMs: number): bigint {
  const w = text === "" ? null : parseWallClock(text);
  return w === null ? localWallMicros(fallbackMs) : clockMicros(w);
}

const DAY_MICROS = 86_400_000_000n;
const dateNames = new Map<bigint, string>();

/** `YYYY-MM-DD` of a zone-less wall-clock reading. */
export function wallClockDate(micros: bigint): string {
  const day = micros >= 0n ? micros / DAY_MICROS : (micros - DAY_MICROS + 1n) / DAY_MICROS;
  let name = dateNames.get(day);
  if (name === undefined) {
    name = new Date(Number(day * 86_400_000n)).toISOString().slice(0, 10);
    if (dateNames.size > 10_000) dateNames.clear();
    dateNames.set(day, name);
  }
  return name;
}

export function auditRow(room: string, topic: string, partition: number, record: SourceRecord): AuditRow {
  const decoded = decode(record.value, record.timestampMs);
  const base = {
    room,
    topic,
    partition,
    offset: record.offset,
    kafkaTimeMicros: BigInt(record.timestampMs) * 1000n,
  };
  if (!decoded.ok) {
    return {
      ...base,
      sender: null,
      message: null,
      end: null,
      timestamp: null,
      localTimeMicros: null,
      problem: decoded.problem,
      problemDetail: decoded.detail,
      raw: decoded.raw,
    };
  }
  const { sender, message, end, timestamp } = decoded.record;
  return {
    ...base,
    sender,
    message,
    end,
    timestamp: timestamp === "" ? null : timestamp,
    localTimeMicros: wallClockMicros(timestamp, record.timestampMs),
    problem: null,
    problemDetail: null,
    raw: null,
  };
}

const NEWLINE = /\r\n|\r|\n/g;

/** The original DAG's filter: join notices and leave records are not chat messages. */
export function isChatMessage(sender: string, end: boolean | null): boolean {
  return sender !== INFO_SENDER && end !== true;
}

/** The original DAG's cleanup: one line per message. */
export function flattenNewlines(message: string): string {
  return message.includes("\n") || message.includes("\r") ? message.replace(NEWLINE, " ") : message;
}

/** The original DAG's filter and cleanup; null for rows it drops (and for bad records). */
export function processedRow(row: AuditRow): ProcessedRow | null {
  if (row.sender === null || row.message === null || row.localTimeMicros === null) return null;
  if (!isChatMessage(row.sender, row.end)) return null;
  return {
    room: row.room,
    topic: row.topic,
    partition: row.partition,
    offset: row.offset,
    sender: row.sender,
    message: flattenNewlines(row.message),
    end: false,
    localTimeMicros: row.localTimeMicros,
  };
}

/** Processed rows of one batch grouped by local date, in offset order within each date. */
export function processedByDate(rows: readonly AuditRow[]): Map<string, ProcessedRow[]> {
  const byDate = new Map<string, ProcessedRow[]>();
  for (const row of rows) {
    const processed = processedRow(row);
    if (processed === null) continue;
    const date = wallClockDate(processed.localTimeMicros);
    const list = byDate.get(date);
    if (list === undefined) byDate.set(date, [processed]);
    else list.push(processed);
  }
  return byDate;
}
