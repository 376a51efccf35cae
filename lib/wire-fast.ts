/**
 * A decoder for the wire's known shape only, beside the general one (wire.ts): the bytes Python's
 * `json.dumps` writes for a chat record, `{"sender": "…", "message": "…", "end": true|false,
 * "timestamp": "…"}`, ASCII with every other character escaped. Python escapes each non-ASCII
 * UTF-16 unit as `\uXXXX`, so a Hangul message is mostly escapes; this turns them straight into
 * UTF-8 bytes, without the record's text, JSON.parse's strings and the message's UTF-8 encoding
 * again for the Parquet columns. Anything else (another layout, raw non-ASCII or control bytes,
 * lone surrogates, other types, oversized) is not scanned and goes to `parseRecord`, which gives
 * the same fields for everything this accepts (wire-fast.test.ts checks arbitrary records).
 */
import { fnv1aBytes } from "./fnv1a.ts";
import { MAX_RECORD_BYTES, realWallClock, type WallClock } from "./wire.ts";

/**
 * The fields of the last scanned record. The message and the timestamp are UTF-8 bytes of
 * `text`, given as ranges, valid until the next scan: a view of each (`subarray`) cost more
 * than decoding the timestamp, twice a record (bench/audit).
 */
export interface Scanned {
  sender: string;
  text: Buffer;
  messageStart: number;
  messageEnd: number;
  end: boolean;
  /** `wallClockOfBytes` reads the timestamp from `text`. */
  timestampStart: number;
  timestampEnd: number;
  /** The message holds a line feed or carriage return. */
  multiline: boolean;
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const SENDER = ascii('{"sender": "');
const MESSAGE = ascii('", "message": "');
const END = ascii('", "end": ');
const TRUE = ascii("true");
const FALSE = ascii("false");
const TIMESTAMP = ascii(', "timestamp": "');
const CLOSE = ascii('"}');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SHORT_ESCAPES = new Int16Array(128).fill(-1);
for (const [c, unit] of [
  ['"', 0x22],
  ["\\", 0x5c],
  ["/", 0x2f],
  ["b", 0x08],
  ["f", 0x0c],
  ["n", 0x0a],
  ["r", 0x0d],
  ["t", 0x09],
] as const) {
  SHORT_ESCAPES[c.charCodeAt(0)] = unit;
}
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX["0123456789abcdef".charCodeAt(i)] = i;
  HEX["0123456789ABCDEF".charCodeAt(i)] = i;
}

/**
 * The text of recently seen short byte strings (senders: a room has a few, and every record
 * repeats one): a direct-mapped table by hash, so a repeated sender costs a hash and a compare
 * instead of decoding a new string.
 */
class RecentTexts {
  private readonly keys: (Uint8Array | undefined)[] = new Array(256);
  private readonly texts: string[] = new Array(256).fill("");

  /** `bytes.toString("utf8", 0, length)`, from the table when these bytes were seen last time. */
  text(bytes: Buffer, length: number): string {
    if (length > 64) return bytes.toString("utf8", 0, length);
    const hash = fnv1aBytes(bytes, 0, length);
    const slot = (hash ^ (hash >>> 8) ^ (hash >>> 16)) & 255;
    const key = this.keys[slot];
    if (key !== undefined && key.length === length) {
      let same = true;
      for (let i = 0; i < length && same; i++) same = key[i] === bytes[i];
      if (same) return this.texts[slot] as string;
    }
    const text = bytes.toString("utf8", 0, length);
    this.keys[slot] = new Uint8Array(bytes.subarray(0, length));
    this.texts[slot] = text;
    return text;
  }
}

export class RecordScanner {
  private readonly senders = new RecentTexts();
  /** Decoded strings land here: escapes only shrink, so one record's length is always enough. */
  private scratch = Buffer.alloc(64 * 1024);
  private at = 0;
  private length = 0;
  private multiline = false;
  /** Where the record being scanned ends in its bytes. */
  private end = 0;
  private readonly scanned: Scanned = {
    sender: "",
    text: this.scratch,
    messageStart: 0,
    messageEnd: 0,
    end: false,
    timestampStart: 0,
    timestampEnd: 0,
    multiline: false,
  };

  /**
   * The fields of the record in bytes [start, end) of `value` (all of it by default) when it
   * has exactly the wire's shape; null sends it to `parseRecord`.
   */
  scan(value: Uint8Array | null, start = 0, end = value?.byteLength ?? 0): Scanned | null {
    if (value === null || end - start > MAX_RECORD_BYTES) return null;
    if (end - start > this.scratch.length) this.scratch = Buffer.alloc((end - start) * 2);
    this.length = 0;
    this.end = end;
    let at = this.literal(value, start, SENDER);
    if (this.string(value, at) < 0) return null;
    const senderEnd = this.length;
    at = this.literal(value, this.at, MESSAGE);
    const messageStart = this.length;
    if (this.string(value, at) < 0) return null;
    const messageEnd = this.length;
    const multiline = this.multiline;
    at = this.literal(value, this.at, END);
    if (at < 0) return null;
    let ended: boolean;
    if (this.literal(value, at, TRUE) > 0) {
      ended = true;
      at += TRUE.length;
    } else if (this.literal(value, at, FALSE) > 0) {
      ended = false;
      at += FALSE.length;
    } else return null;
    at = this.literal(value, at, TIMESTAMP);
    const timestampStart = this.length;
    if (this.string(value, at) < 0) return null;
    if (this.literal(value, this.at, CLOSE) !== end) return null;

    const scanned = this.scanned;
    scanned.sender = this.senders.text(this.scratch, senderEnd);
    scanned.text = this.scratch;
    scanned.messageStart = messageStart;
    scanned.messageEnd = messageEnd;
    scanned.end = ended;
    scanned.timestampStart = timestampStart;
    scanned.timestampEnd = this.length;
    scanned.multiline = multiline;
    return scanned;
  }

  /** The index after `expected` at `at` in `value`, or -1. */
  private literal(value: Uint8Array, at: number, expected: Uint8Array): number {
    if (at < 0 || at + expected.length > this.end) return -1;
    for (let i = 0; i < expected.length; i++) if (value[at + i] !== expected[i]) return -1;
    return at + expected.length;
  }

  /**
   * Decodes the JSON string body starting at `at` (after its opening quote) onto the scratch
   * bytes; `this.at` is then at the closing quote. -1 when the body is not plain escaped
   * ASCII.
   */
  private string(value: Uint8Array, at: number): number {
    if (at < 0) return -1;
    this.multiline = false;
    const out = this.scratch;
    let n = this.length;
    let i = at;
    const last = this.end;
    while (i < last) {
      const c = value[i] as number;
      if (c === QUOTE) {
        this.length = n;
        this.at = i;
        return i;
      }
      if (c < 0x20 || c >= 0x80) return -1;
      if (c !== BACKSLASH) {
        out[n++] = c;
        i++;
        continue;
      }
      // Past the record's end may be the next record's bytes.
      const kind = i + 1 < last ? (value[i + 1] as number) : 0;
      if (kind !== 0x75) {
        const unit = kind < 128 ? (SHORT_ESCAPES[kind] as number) : -1;
        if (unit < 0) return -1;
        if (unit === 0x0a || unit === 0x0d) this.multiline = true;
        out[n++] = unit;
        i += 2;
        continue;
      }
      let unit = this.hex4(value, i + 2);
      i += 6;
      if (unit < 0) return -1;
      if (unit >= 0xd800 && unit <= 0xdfff) {
        // Only a high surrogate escaped right before a low one is a character; a lone one is
        // a string UTF-8 cannot hold, left to the general path.
        if (unit >= 0xdc00 || i + 1 >= last || value[i] !== BACKSLASH || value[i + 1] !== 0x75) return -1;
        const low = this.hex4(value, i + 2);
        if (low < 0xdc00 || low > 0xdfff) return -1;
        i += 6;
        unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        out[n++] = 0xf0 | (unit >> 18);
        out[n++] = 0x80 | ((unit >> 12) & 0x3f);
        out[n++] = 0x80 | ((unit >> 6) & 0x3f);
        out[n++] = 0x80 | (unit & 0x3f);
      } else if (unit < 0x80) {
        if (unit === 0x0a || unit === 0x0d) this.multiline = true;
        out[n++] = unit;
      } else if (unit < 0x800) {
        out[n++] = 0xc0 | (unit >> 6);
        out[n++] = 0x80 | (unit & 0x3f);
      } else {
        out[n++] = 0xe0 | (unit >> 12);
        out[n++] = 0x80 | ((unit >> 6) & 0x3f);
        out[n++] = 0x80 | (unit & 0x3f);
      }
    }
    return -1;
  }

  /** Four hex digits at `at` as a number, or -1. */
  private hex4(value: Uint8Array, at: number): number {
    if (at + 4 > this.end) return -1;
    const a = HEX[value[at] as number] as number;
    const b = HEX[value[at + 1] as number] as number;
    const c = HEX[value[at + 2] as number] as number;
    const d = HEX[value[at + 3] as number] as number;
    if ((a | b | c | d) < 0) return -1;
    return (a << 12) | (b << 8) | (c << 4) | d;
  }
}

const DASH = 0x2d;
const COLON = 0x3a;
const T = 0x54;
const DOT = 0x2e;
const clock: WallClock = {
  year: 0,
  month: 0,
  day: 0,
  hour: 0,
  minute: 0,
  second: 0,
  micros: 0,
  offsetMinutes: null,
};

/** `length` decimal digits at `at`, or -1. */
function digitsAt(bytes: Uint8Array, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const d = (bytes[i] as number) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * What every DoubleChat client writes, `YYYY-MM-DDTHH:MM:SS.ffffff`, read from its bytes (all
 * of `bytes`, or those in [start, end)):
 * `parseWallClock` of their text when they have that form (the fields, or null for a date that
 * does not exist; valid until the next call), undefined for any other form.
 */
export function wallClockOfBytes(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
): WallClock | null | undefined {
  if (end - start !== 26) return undefined;
  const b = bytes;
  const s = start;
  if (
    b[s + 4] !== DASH ||
    b[s + 7] !== DASH ||
    b[s + 10] !== T ||
    b[s + 13] !== COLON ||
    b[s + 16] !== COLON ||
    b[s + 19] !== DOT
  )
    return undefined;
  clock.year = digitsAt(b, s, 4);
  clock.month = digitsAt(b, s + 5, 2);
  clock.day = digitsAt(b, s + 8, 2);
  clock.hour = digitsAt(b, s + 11, 2);
  clock.minute = digitsAt(b, s + 14, 2);
  clock.second = digitsAt(b, s + 17, 2);
  clock.micros = digitsAt(b, s + 20, 6);
  const { year, month, day, hour, minute, second, micros } = clock;
  if ((year | month | day | hour | minute | second | micros) < 0) return undefined;
  return realWallClock(clock);
}
