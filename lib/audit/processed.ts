/**
 * The audit's record logic: a Kafka record becomes a `messages_audit` row, and (or not) a row of
 * the original DAG's processed view: no `[INFO]` rows, no `end` rows, newlines replaced by
 * spaces, dated by the sender's local wall-clock day.
 *
 * Local time: the original clients wrote `datetime.now().isoformat()`, a wall-clock reading with
 * no zone. It is kept as that reading (microseconds included), not converted through the
 * auditor's zone. A timestamp that carries a zone, or none at all (the oldest client; then the
 * Kafka time is used), is shown in the auditor's local zone, the closest honest reading.
 */
import { INFO_SENDER, parseRecord, parseWallClock, type WallClock } from "../wire.ts";
import { RecordScanner, type Scanned, wallClockOfBytes } from "../wire-fast.ts";
import type { AuditFile, ProcessedFile } from "./archive.ts";
import { floorDiv, type Micros, micros } from "./micros.ts";
import type { StatsRowsBuilder } from "./stats-rows.ts";

export interface SourceRecord {
  offset: number;
  timestampMs: number;
  value: Uint8Array | null;
}

function localWallMicros(instantMs: number): Micros {
  const offsetMinutes = new Date(instantMs).getTimezoneOffset();
  return micros(instantMs - offsetMinutes * 60_000, 0);
}

// The day of the last reading: a run's records come a day at a time, and its start is what
// costs (a Date computation); the time of day is arithmetic.
let lastDay = { key: Number.NaN, ms: 0 };

/** Milliseconds of a reading's whole seconds, its fields taken as UTC (no zone applied). */
function readingSecondsMs(w: WallClock): number {
  const key = (w.year * 100 + w.month) * 100 + w.day;
  if (key !== lastDay.key) {
    // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
    lastDay = { key, ms: new Date(0).setUTCFullYear(w.year, w.month - 1, w.day) };
  }
  return lastDay.ms + ((w.hour * 60 + w.minute) * 60 + w.second) * 1000;
}

/**
 * The sender's wall-clock time as zone-less microseconds (UTC fields hold the reading). A
 * timestamp with a zone is the instant it names, read on the auditor's clock.
 */
export function clockMicros(w: WallClock): Micros {
  if (w.offsetMinutes === null) return micros(readingSecondsMs(w), w.micros);
  return localWallMicros(readingSecondsMs(w) + Math.floor(w.micros / 1000) - w.offsetMinutes * 60_000);
}

/** `clockMicros` of a timestamp's text; none, or one that is not a real date, is the Kafka time. */
export function wallClockMicros(text: string, fallbackMs: number): Micros {
  const w = text === "" ? null : parseWallClock(text);
  return w === null ? localWallMicros(fallbackMs) : clockMicros(w);
}

const utf8 = new TextDecoder();

/** `wallClockMicros` of a timestamp's UTF-8 bytes; the form every client writes is read from the bytes. */
export function wallClockMicrosOfBytes(
  bytes: Uint8Array,
  fallbackMs: number,
  start = 0,
  end = bytes.length,
): Micros {
  const w = wallClockOfBytes(bytes, start, end);
  if (w === undefined) return wallClockMicros(utf8.decode(bytes.subarray(start, end)), fallbackMs);
  return w === null ? localWallMicros(fallbackMs) : clockMicros(w);
}

const dateNames = new Map<number, string>();

/** `YYYY-MM-DD` of a zone-less wall-clock reading. */
export function wallClockDate(at: Micros): string {
  const day = floorDiv(at, 86_400_000_000);
  let name = dateNames.get(day);
  if (name === undefined) {
    name = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (dateNames.size > 10_000) dateNames.clear();
    dateNames.set(day, name);
  }
  return name;
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

/** Where one batch's records go: its raw file, a processed file per local date, the statistics' rows. */
export interface BatchFiles {
  raw: AuditFile;
  processed(date: string): ProcessedFile;
  stats: StatsRowsBuilder | null;
}

/**
 * One record into the batch's files: every record into the raw file (a bad one with its bytes
 * and problem); chat messages, flattened, into the processed file of their local date and into
 * the statistics. The record's value is bytes [start, end) of `bytes` (null for none): batches
 * arrive packed (commit.ts), and a view of each value cost more than scanning it. False for a
 * bad record.
 */
export function archiveRecord(
  files: BatchFiles,
  offset: number,
  timestampMs: number,
  bytes: Uint8Array | null,
  start: number,
  end: number,
): boolean {
  const scanned = scanner.scan(bytes, start, end);
  if (scanned !== null) {
    archiveScanned(files, offset, timestampMs, scanned);
    return true;
  }
  const parsed = parseRecord(bytes === null ? null : bytes.subarray(start, end));
  if (!parsed.ok) {
    files.raw.addBad(offset, timestampMs, parsed);
    return false;
  }
  const { sender, message, end: ended, timestamp } = parsed.record;
  const localTime = wallClockMicros(timestamp, timestampMs);
  files.raw.add(offset, timestampMs, parsed.record, localTime);
  if (!isChatMessage(sender, ended)) return true;
  const flat = flattenNewlines(message);
  files.processed(wallClockDate(localTime)).add(offset, sender, flat, localTime);
  files.stats?.add(sender, flat, localTime);
  return true;
}

const scanner = new RecordScanner();
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/** `flattenNewlines` on UTF-8 bytes (CR and LF never occur inside a multi-byte character). */
export function flattenNewlineBytes(message: Uint8Array, start = 0, end = message.byteLength): Buffer {
  const flat = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = message[i] as number;
    if (c === CR && i + 1 < end && message[i + 1] === LF) i++;
    flat[n++] = c === CR || c === LF ? SPACE : c;
  }
  return flat.subarray(0, n);
}

/**
 * `archiveRecord` for a record in the wire's known shape: the message stays UTF-8 bytes into
 * both files and the statistics.
 */
function archiveScanned(files: BatchFiles, offset: number, timestampMs: number, scanned: Scanned): void {
  const { sender, text, messageStart, messageEnd } = scanned;
  const localTime = wallClockMicrosOfBytes(text, timestampMs, scanned.timestampStart, scanned.timestampEnd);
  files.raw.addScanned(offset, timestampMs, scanned, localTime);
  if (!isChatMessage(sender, scanned.end)) return;
  let [source, start, end] = [text, messageStart, messageEnd];
  if (scanned.multiline) {
    source = flattenNewlineBytes(text, messageStart, messageEnd);
    [start, end] = [0, source.length];
  }
  files.processed(wallClockDate(localTime)).addRange(offset, sender, source, start, end, localTime);
  files.stats?.addRange(sender, source, start, end, localTime);
}
