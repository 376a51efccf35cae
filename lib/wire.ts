/**
 * The DoubleChat record, byte for byte as the original Python clients wrote it:
 * `json.dumps({"sender": .., "message": .., "end": .., "timestamp": ..})` with default settings,
 * `timestamp` being `datetime.now().isoformat()` (local wall-clock time, no zone).
 * Anything else found on a topic decodes to a Problem value; decode never throws.
 */

export interface ChatRecord {
  sender: string;
  message: string;
  end: boolean;
  timestamp: string;
}

export type Problem = "empty" | "too-large" | "invalid-utf8" | "not-json" | "not-object" | "bad-field";

export type Decoded =
  | { ok: true; record: ChatRecord; time: Date; timeSource: "record" | "kafka" }
  | { ok: false; problem: Problem; detail: string; raw: Uint8Array; time: Date };

export const LEAVE_HINT = "Type in 'exit' to also finish the chat.";
export const INFO_SENDER = "[INFO]";
export const BOT_SENDER = "[bot]";
/** Kafka's default max.message.bytes is about 1 MB; anything larger is not a chat message. */
export const MAX_RECORD_BYTES = 1024 * 1024;

export function joinRecord(user: string, now: Date): ChatRecord {
  return {
    sender: INFO_SENDER,
    message: `User [${user}] has entered the chat!\n`,
    end: false,
    timestamp: pythonIsoformat(now),
  };
}

export function leaveRecord(user: string, now: Date): ChatRecord {
  return {
    sender: user,
    message: `\nUser [${user}] has exited the chatroom.`,
    end: true,
    timestamp: pythonIsoformat(now),
  };
}

export function textRecord(user: string, text: string, now: Date): ChatRecord {
  return { sender: user, message: text, end: false, timestamp: pythonIsoformat(now) };
}

// Python's ensure_ascii escapes everything outside ' '..'~' (so DEL too) per UTF-16 code unit,
// which is why astral characters come out as surrogate pairs and lone surrogates survive as \udXXX.
// Without the `u` flag this class matches single code units, exactly that rule.
const PY_ESCAPABLE = /[\\"\u0000-\u001f\u007f-\uffff]/g;
const PY_SHORT_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  '"': '\\"',
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function pyEscapeUnit(unit: string): string {
  return PY_SHORT_ESCAPES[unit] ?? `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

function pyString(text: string): string {
  return `"${text.replace(PY_ESCAPABLE, pyEscapeUnit)}"`;
}

export function encode(record: ChatRecord): Buffer {
  const json =
    `{"sender": ${pyString(record.sender)}, "message": ${pyString(record.message)}, ` +
    `"end": ${record.end ? "true" : "false"}, "timestamp": ${pyString(record.timestamp)}}`;
  // Every character is ASCII after escaping, so latin1 is the UTF-8 encoding, only cheaper.
  return Buffer.from(json, "latin1");
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A record's fields, or what is wrong with it; `Decoded` without the time. */
export type Parsed =
  | { ok: true; record: ChatRecord }
  | { ok: false; problem: Problem; detail: string; raw: Uint8Array };

function failure(problem: Problem, detail: string, raw: Uint8Array): Parsed {
  return { ok: false, problem, detail, raw };
}

function describeType(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function fieldProblem(obj: Record<string, unknown>): string | null {
  for (const [field, expected] of [
    ["sender", "string"],
    ["message", "string"],
    ["end", "boolean"],
  ] as const) {
    const value = obj[field];
    if (typeof value !== expected) {
      return `field "${field}" is ${describeType(value)}, expected a ${expected}`;
    }
  }
  return null;
}

/** `decode` without working out the time: for readers (the audit) that read the timestamp themselves. */
export function parseRecord(value: Uint8Array | null): Parsed {
  const raw = value ?? new Uint8Array(0);
  if (raw.byteLength === 0) return failure("empty", "empty record value", raw);
  if (raw.byteLength > MAX_RECORD_BYTES) {
    return failure(
      "too-large",
      `record is ${raw.byteLength} bytes, over the ${MAX_RECORD_BYTES}-byte limit`,
      raw,
    );
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return failure("invalid-utf8", "record is not valid UTF-8", raw);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return failure("not-json", "record is not valid JSON", raw);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return failure("not-object", `record is ${describeType(parsed)}, expected a JSON object`, raw);
  }
  const obj = parsed as Record<string, unknown>;
  const problem = fieldProblem(obj);
  if (problem !== null) return failure("bad-field", problem, raw);

  // A bad timestamp alone does not make the message malformed: the sender, text and leave flag
  // are intact, so the message is shown at its Kafka time and the odd timestamp text is kept.
  // The oldest client sent no timestamp at all; a non-string one is kept as its JSON text.
  const stamp = obj.timestamp;
  const timestamp =
    stamp === undefined || stamp === null ? "" : typeof stamp === "string" ? stamp : JSON.stringify(stamp);
  return {
    ok: true,
    record: {
      sender: obj.sender as string,
      message: obj.message as string,
      end: obj.end as boolean,
      timestamp,
    },
  };
}

export function decode(value: Uint8Array | null, kafkaTimestampMs: number): Decoded {
  const parsed = parseRecord(value);
  const kafkaTime = new Date(kafkaTimestampMs);
  if (!parsed.ok) return { ...parsed, time: kafkaTime };
  // A non-string timestamp kept as its JSON text (a number, an object) never reads as a time.
  const recordTime = parseTimestamp(parsed.record.timestamp);
  return recordTime === null
    ? { ok: true, record: parsed.record, time: kafkaTime, timeSource: "kafka" }
    : { ok: true, record: parsed.record, time: recordTime, timeSource: "record" };
}

// Python isoformat (space or T, fraction of 1-9 digits) plus an optional Z or ±HH[:]MM zone.
// Parsed by hand: Date's own parser treats zone-less forms inconsistently across engines and
// does not take microseconds.
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** A timestamp's fields as written, checked to be a real date and time. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number;
  /** The zone written after it (Z is 0); null for a zone-less local reading, as Python writes. */
  offsetMinutes: number | null;
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

// What every DoubleChat client writes, `YYYY-MM-DDTHH:MM:SS.ffffff`, read without the regex:
// it is decoded for every record, and the regex was most of a record's decoding time.
function isoformatFields(text: string): WallClock | undefined {
  if (text.length !== 26) return undefined;
  const c = (i: number) => text.charCodeAt(i);
  if (c(4) !== 45 || c(7) !== 45 || c(10) !== 84 || c(13) !== 58 || c(16) !== 58 || c(19) !== 46)
    return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const micros = digitsAt(text, 20, 6);
  // -1 marks a non-digit; OR-ing the fields finds one without allocating.
  if ((year | month | day | hour | minute | second | micros) < 0) return undefined;
  return { year, month, day, hour, minute, second, micros, offsetMinutes: null };
}

function regexFields(text: string): WallClock | null {
  const m = ISO_TIMESTAMP.exec(text);
  if (m === null) return null;
  let offsetMinutes: number | null = m[8] === undefined ? null : 0;
  if (m[9] !== undefined) {
    const hours = Number(m[10]);
    const minutes = Number(m[11]);
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (hours * 60 + minutes);
  }
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
    micros: Number((m[7] ?? "").padEnd(6, "0").slice(0, 6)),
    offsetMinutes,
  };
}

/** The fields of a timestamp in any form `parseTimestamp` takes; null if not a real date and time. */
export function parseWallClock(text: string): WallClock | null {
  const w = isoformatFields(text) ?? regexFields(text);
  return w === null ? null : realWallClock(w);
}

/** The fields when they name a real date and time, else null. */
export function realWallClock(w: WallClock): WallClock | null {
  if (w.year < 1 || w.month < 1 || w.month > 12 || w.day < 1 || w.day > daysInMonth(w.year, w.month))
    return null;
  if (w.hour > 23 || w.minute > 59 || w.second > 59) return null;
  return w;
}

/** Local time for zone-less text (as Python wrote it), else the given zone; null if not a real instant. */
export function parseTimestamp(text: string): Date | null {
  const w = parseWallClock(text);
  if (w === null) return null;
  const ms = Math.floor(w.micros / 1000);
  const date = new Date(0);
  if (w.offsetMinutes === null) {
    // setFullYear, not the constructor: the constructor maps years 0-99 to 1900-1999.
    date.setFullYear(w.year, w.month - 1, w.day);
    date.setHours(w.hour, w.minute, w.second, ms);
    return date;
  }
  date.setUTCFullYear(w.year, w.month - 1, w.day);
  date.setUTCHours(w.hour, w.minute, w.second, ms);
  date.setTime(date.getTime() - w.offsetMinutes * 60_000);
  return date;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** `datetime.now().isoformat()`: local time, microseconds omitted when zero, as Python does. */
export function pythonIsoformat(date: Date): string {
  const base =
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}` +
    `T${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}`;
  const ms = date.getMilliseconds();
  return ms === 0 ? base : `${base}.${pad(ms * 1000, 6)}`;
}
