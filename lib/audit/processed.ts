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
import { decode, INFO_SENDER, parseTimestamp } from "../wire.ts";
import type { AuditRow, ProcessedRow } from "./archive.ts";

export interface SourceRecord {
  offset: number;
  timestampMs: number;
  value: Uint8Array | null;
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

function localWallMicros(instantMs: number): bigint {
  const offsetMinutes = new Date(instantMs).getTimezoneOffset();
  return BigInt(instantMs - offsetMinutes * 60_000) * 1000n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A wall-clock reading's microseconds, or null when the fields are not a real date and time. */
function fieldsMicros(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  micros: number,
): bigint | null {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (year < 1 || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return null;
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const ms =
    year >= 100
      ? Date.UTC(year, month - 1, day, hour, minute, second)
      : new Date(0).setUTCFullYear(year, month - 1, day) + ((hour * 60 + minute) * 60 + second) * 1000;
  // Exact in floating point up to ±9e15 µs (years 1685-2255); BigInt arithmetic beyond.
  return Math.abs(ms) < 9e12 ? BigInt(ms * 1000 + micros) : BigInt(ms) * 1000n + BigInt(micros);
}

function naiveMicros(m: RegExpExecArray): bigint | null {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return fieldsMicros(
    year,
    month,
    day,
    hour,
    minute,
    second,
    Number((m[7] ?? "").padEnd(6, "0").slice(0, 6)),
  );
}

/** `length` decimal digits at `at`, or -1. */
function digitsAt(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

// What every DoubleChat client writes, `YYYY-MM-DDTHH:MM:SS.ffffff`, read without the regex
// (it is most of a record's decoding time otherwise); anything else goes through NAIVE.
function isoformatMicros(text: string): bigint | null | undefined {
  if (text.length !== 26) return undefined;
  const c = (i: number) => text.charCodeAt(i);
  if (c(4) !== 45 || c(7) !== 45 || c(10) !== 84 || c(13) !== 58 || c(16) !== 58 || c(19) !== 46)
    return undefined;
  const fields = [
    digitsAt(text, 0, 4),
    digitsAt(text, 5, 2),
    digitsAt(text, 8, 2),
    digitsAt(text, 11, 2),
    digitsAt(text, 14, 2),
    digitsAt(text, 17, 2),
    digitsAt(text, 20, 6),
  ] as const;
  if (fields.includes(-1)) return undefined;
  return fieldsMicros(...fields);
}

/** The sender's wall-clock time as zone-less microseconds (UTC fields hold the reading). */
export function wallClockMicros(text: string, fallbackMs: number): bigint {
  const fast = isoformatMicros(text);
  if (fast !== undefined) return fast ?? localWallMicros(fallbackMs);
  const m = NAIVE.exec(text);
  if (m !== null) return naiveMicros(m) ?? localWallMicros(fallbackMs);
  const instant = text === "" ? null : parseTimestamp(text);
  return localWallMicros(instant === null ? fallbackMs : instant.getTime());
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
