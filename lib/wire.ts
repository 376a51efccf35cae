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

function failure(problem: Problem, detail: string, raw: Uint8Array, time: Date): Decoded {
  return { ok: false, problem, detail, raw, time };
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

export function decode(value: Uint8Array | null, kafkaTimestampMs: number): Decoded {
  const kafkaTime = new Date(kafkaTimestampMs);
  const raw = value ?? new Uint8Array(0);
  if (raw.byteLength === 0) return failure("empty", "empty record value", raw, kafkaTime);
  if (raw.byteLength > MAX_RECORD_BYTES) {
    return failure(
      "too-large",
      `record is ${raw.byteLength} bytes, over the ${MAX_RECORD_BYTES}-byte limit`,
      raw,
      kafkaTime,
    );
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return failure("invalid-utf8", "record is not valid UTF-8", raw, kafkaTime);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return failure("not-json", "record is not valid JSON", raw, kafkaTime);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return failure("not-object", `record is ${describeType(parsed)}, expected a JSON object`, raw, kafkaTime);
  }
  const obj = parsed as Record<string, unknown>;
  const problem = fieldProblem(obj);
  if (problem !== null) return failure("bad-field", problem, raw, kafkaTime);

  // A bad timestamp alone does not make the message malformed: the sender, text and leave flag
  // are intact, so the message is shown at its Kafka time and the odd timestamp text is kept.
  // The oldest client sent no timestamp at all; a non-string one is kept as its JSON text.
  const stamp = obj.timestamp;
  const timestamp =
    stamp === undefined || stamp === null ? "" : typeof stamp === "string" ? stamp : JSON.stringify(stamp);
  const record: ChatRecord = {
    sender: obj.sender as string,
    message: obj.message as string,
    end: obj.end as boolean,
    timestamp,
  };
  const recordTime = typeof stamp === "string" ? parseTimestamp(stamp) : null;
  return recordTime === null
    ? { ok: true, record, time: kafkaTime, timeSource: "kafka" }
    : { ok: true, record, time: recordTime, timeSource: "record" };
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

/** Local time for zone-less text (as Python wrote it), else the given zone; null if not a real instant. */
export function parseTimestamp(text: string): Date | null {
  const m = ISO_TIMESTAMP.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;

  const date = new Date(0);
  if (m[8] === undefined && m[9] === undefined) {
    // setFullYear, not the constructor: the constructor maps years 0-99 to 1900-1999.
    date.setFullYear(year, month - 1, day);
    date.setHours(hour, minute, second, ms);
    return date;
  }
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  if (m[9] !== undefined) {
    const offsetHours = Number(m[10]);
    const offsetMinutes = Number(m[11]);
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    const sign = m[9] === "-" ? -1 : 1;
    date.setTime(date.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
  }
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
