/**
 * The original auditor's three statistics over processed messages: user count (messages per
 * sender), word count and time count (messages per local hour:minute). Words are what
 * `Intl.Segmenter` calls word-like, so Hangul, Latin and mixed text split sensibly ("한국어랑
 * 영어" is two words, "i'm" one); they are compared after NFC and lower-casing.
 */
import { fnv1aStep, OFFSET_BASIS } from "../fnv1a.ts";
import { MINUTES_A_DAY, type Micros, minuteOfDay } from "./micros.ts";
import type { StatsRows } from "./stats-rows.ts";
import { ByteTokenCounts, TokenCounts } from "./token-counts.ts";

/** The three statistics, as a tally settles them (`settle`). */
export interface Counts {
  messages: number;
  users: Map<string, number>;
  words: Map<string, number>;
  times: Map<string, number>;
}

/**
 * Counts being gathered (`addMessage`); `settle` turns them into `Counts`. Shaped for the audit's
 * per-message cost: a sender's count is one Map lookup (a holder, not a number to set back), a
 * minute's is an array slot.
 */
export interface Tally {
  messages: number;
  users: Map<string, { count: number }>;
  /** Words of messages segmented whole (not on the fast path below). */
  words: Map<string, number>;
  /** Messages per minute of the day (0-1439). */
  minutes: Float64Array;
  /**
   * White-space-separated tokens of fast-path text, not yet split into words: a chat's tokens
   * repeat, so each distinct one is segmented once, when the tally settles.
   */
  tokens: TokenCounts;
  /** The same for messages counted as UTF-8 bytes (`addMessageBytes`). */
  byteTokens: ByteTokenCounts;
}

export interface Entry {
  key: string;
  count: number;
}

export interface Summary {
  messages: number;
  senders: number;
  distinctWords: number;
  users: Entry[];
  words: Entry[];
  times: Entry[];
}

export function emptyTally(): Tally {
  return {
    messages: 0,
    users: new Map(),
    words: new Map(),
    minutes: new Float64Array(MINUTES_A_DAY),
    tokens: new TokenCounts(),
    byteTokens: new ByteTokenCounts(),
  };
}

const segmenter = new Intl.Segmenter("ko", { granularity: "word" });

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

// Segmenting costs microseconds a message, so text made only of ASCII and Hangul (what chat
// here mostly is) takes a fast path with the same result: split at ASCII white space, segment
// each token alone, and remember a token's words (chat vocabulary repeats; bounded). That is
// exact because UAX #29 only ever joins white space with a following Extend, Format or ZWJ
// character (WB3c, WB3d, WB4), and no ASCII or Hangul character is one. Anything else (emoji,
// combining marks, other scripts) is segmented whole. stats.test.ts checks the equality.
const TOKEN_CACHE_LIMIT = 200_000;
const tokenWords = new Map<string, readonly string[]>();

/**
 * The token's one word when it is a run of ASCII letters and digits, or of Hangul syllables
 * (never split within: UAX #29 WB5, WB8-WB10; ICU does split Hangul from Latin), lower-cased;
 * null otherwise. Most chat tokens are such words, and each segmentation holds an ICU break
 * iterator until the collector frees it: a vocabulary of millions of words took a run past 10 GB
 * of memory as its counts were settled. stats.test.ts holds it to Intl.Segmenter.
 */
export function plainWord(token: string): string | null {
  if (token.length === 0) return null;
  const first = token.charCodeAt(0);
  if (first >= 0xac00 && first <= 0xd7a3) {
    for (let i = 1; i < token.length; i++) {
      const c = token.charCodeAt(i);
      if (c < 0xac00 || c > 0xd7a3) return null;
    }
    return token;
  }
  let upper = false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) upper = true;
    else if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39))) return null;
  }
  return upper ? token.toLowerCase() : token;
}

function segmentToken(token: string): readonly string[] {
  const plain = plainWord(token);
  if (plain !== null) return [plain];
  let cached = tokenWords.get(token);
  if (cached !== undefined) return cached;
  const found: string[] = [];
  for (const segment of segmenter.segment(token)) {
    if (segment.isWordLike) found.push(segment.segment.toLowerCase());
  }
  cached = found;
  if (tokenWords.size >= TOKEN_CACHE_LIMIT) tokenWords.clear();
  tokenWords.set(token, cached);
  return cached;
}

const isAsciiSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
// ASCII, Hangul syllables and compatibility jamo are unchanged by NFC and never compose with a
// neighbour; conjoining jamo (U+1100-11FF) do compose, so they take the path through normalize.
const isStable = (c: number) => c < 0x80 || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0x3131 && c <= 0x318e);
const isFastPath = (c: number) => isStable(c) || (c >= 0x1100 && c <= 0x11ff);

/**
 * Token boundaries of text whose every character passes `accept`, as [start, end) pairs in
 * `into`; false (and `into` unusable) as soon as one does not.
 */
function fastTokens(text: string, accept: (c: number) => boolean, into: number[]): boolean {
  into.length = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!accept(c)) return false;
    if (isAsciiSpace(c)) {
      if (start >= 0) into.push(start, i);
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) into.push(start, text.length);
  return true;
}

const bounds: number[] = [];

/**
 * The message's fast-path text, its tokens' bounds left in `bounds`; null when the message must
 * be segmented whole.
 */
function tokenize(message: string): string | null {
  if (fastTokens(message, isStable, bounds)) return message;
  const text = message.normalize("NFC");
  return fastTokens(text, isFastPath, bounds) ? text : null;
}

function* segmentWhole(message: string): Generator<string> {
  for (const segment of segmenter.segment(message.normalize("NFC"))) {
    if (segment.isWordLike) yield segment.segment.toLowerCase();
  }
}

export function words(message: string): string[] {
  const text = tokenize(message);
  if (text === null) return [...segmentWhole(message)];
  const out: string[] = [];
  for (let i = 0; i < bounds.length; i += 2) out.push(...segmentToken(text.slice(bounds[i], bounds[i + 1])));
  return out;
}

const HOUR_MINUTES = Array.from(
  { length: MINUTES_A_DAY },
  (_, m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`,
);

/** `HH:MM` of a zone-less wall-clock reading in microseconds. */
export function hourMinute(localMicros: Micros): string {
  return HOUR_MINUTES[minuteOfDay(localMicros)] as string;
}

/** One more message of `sender` in `minute` of the day. */
function countMessage(tally: Tally, sender: string, minute: number): void {
  tally.messages++;
  const user = tally.users.get(sender);
  if (user === undefined) tally.users.set(sender, { count: 1 });
  else user.count++;
  tally.minutes[minute] = (tally.minutes[minute] as number) + 1;
}

/**
 * Token boundaries of the UTF-8 text [start, end) of `bytes` whose every character `isStable`
 * accepts, as [start, end, FNV-1a hash] triples in `into` (hashed in the same pass: counting
 * hashes every token, and a second pass over the bytes was a sixth of the counting): the same
 * tokens `fastTokens(text, isStable)` finds in the decoded text, since every separator is one
 * ASCII byte. False as soon as a character is anything else (or the bytes are not UTF-8).
 */
function fastByteTokens(bytes: Uint8Array, from: number, to: number, into: number[]): boolean {
  into.length = 0;
  let start = -1;
  let hash = OFFSET_BASIS;
  let i = from;
  while (i < to) {
    const c = bytes[i] as number;
    if (c < 0x80) {
      if (isAsciiSpace(c)) {
        if (start >= 0) into.push(start, i, hash);
        start = -1;
      } else {
        if (start < 0) {
          start = i;
          hash = OFFSET_BASIS;
        }
        hash = fnv1aStep(hash, c);
      }
      i++;
      continue;
    }
    // Hangul syllables and compatibility jamo are three bytes: 1110xxxx 10xxxxxx 10xxxxxx.
    const b1 = i + 1 < to ? (bytes[i + 1] as number) : 0;
    const b2 = i + 2 < to ? (bytes[i + 2] as number) : 0;
    if ((c & 0xf0) !== 0xe0 || (b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) return false;
    if (!isStable(((c & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f))) return false;
    if (start < 0) {
      start = i;
      hash = OFFSET_BASIS;
    }
    hash = fnv1aStep(fnv1aStep(fnv1aStep(hash, c), b1), b2);
    i += 3;
  }
  if (start >= 0) into.push(start, to, hash);
  return true;
}

const byteBounds: number[] = [];

const utf8 = new TextDecoder();

/**
 * `addMessage` of the message's UTF-8 bytes, as the audit holds them: ASCII/Hangul text is
 * counted from the bytes, without decoding it; anything else is decoded and counted as text.
 */
export function addMessageBytes(
  tally: Tally,
  sender: string,
  message: Uint8Array,
  localMicros: Micros,
): void {
  addBytes(tally, sender, message, 0, message.length, minuteOfDay(localMicros));
}

function addBytes(
  tally: Tally,
  sender: string,
  bytes: Uint8Array,
  start: number,
  end: number,
  minute: number,
) {
  if (!fastByteTokens(bytes, start, end, byteBounds)) {
    addText(tally, sender, utf8.decode(bytes.subarray(start, end)), minute);
    return;
  }
  countMessage(tally, sender, minute);
  for (let i = 0; i < byteBounds.length; i += 3)
    tally.byteTokens.addHashed(
      bytes,
      byteBounds[i] as number,
      byteBounds[i + 1] as number,
      byteBounds[i + 2] as number,
    );
}

export function addMessage(tally: Tally, sender: string, message: string, localMicros: Micros): void {
  addText(tally, sender, message, minuteOfDay(localMicros));
}

function addText(tally: Tally, sender: string, message: string, minute: number): void {
  countMessage(tally, sender, minute);
  const text = tokenize(message);
  if (text === null) {
    for (const word of segmentWhole(message)) bump(tally.words, word);
  } else {
    for (let i = 0; i < bounds.length; i += 2)
      tally.tokens.add(text, bounds[i] as number, bounds[i + 1] as number);
  }
}

/** A committed batch's processed messages (stats-rows.ts), counted as `addMessage` would. */
export function addRows(tally: Tally, rows: StatsRows): void {
  let text = 0;
  let start = 0;
  for (let row = 0; row < rows.count; row++) {
    const sender = rows.senders[rows.senderOf[row] as number] as string;
    const minute = rows.minutes[row] as number;
    const end = rows.ends[row] as number;
    const decoded = rows.texts[text];
    if (decoded !== undefined && decoded[0] === row) {
      addText(tally, sender, decoded[1], minute);
      text++;
    } else addBytes(tally, sender, rows.bytes, start, end, minute);
    start = end;
  }
}

/** The tally's counts, its tokens split into words; the tally starts afresh. */
export function settle(tally: Tally): Counts {
  const counts: Counts = { messages: tally.messages, users: new Map(), words: tally.words, times: new Map() };
  for (const [sender, user] of tally.users) counts.users.set(sender, user.count);
  tally.minutes.forEach((count, minute) => {
    if (count > 0) counts.times.set(HOUR_MINUTES[minute] as string, count);
  });
  const count = (token: string, times: number) => {
    const plain = plainWord(token);
    if (plain !== null) bump(counts.words, plain, times);
    else for (const word of segmentToken(token)) bump(counts.words, word, times);
  };
  tally.tokens.forEach(count);
  tally.byteTokens.forEach(count);
  // What is counted now lives in `counts`: settling again (or counting on) must not count it twice.
  Object.assign(tally, emptyTally());
  return counts;
}

/** Whether `a` comes before `b`: the more frequent first, ties in key order. */
function before(a: Entry, b: Entry): boolean {
  return a.count > b.count || (a.count === b.count && a.key < b.key);
}

/**
 * The `n` most frequent, most frequent first; ties in key order, so the output is stable. A
 * pass that keeps the best `n` so far: sorting all of a vocabulary of millions of words to
 * show five took most of a run's time.
 */
export function top(map: Map<string, number>, n: number): Entry[] {
  if (n <= 0) return [];
  if (n * 8 >= map.size) {
    return [...map]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0))
      .slice(0, n);
  }
  const best: Entry[] = [];
  for (const [key, count] of map) {
    const entry = { key, count };
    if (best.length === n) {
      if (!before(entry, best[n - 1] as Entry)) continue;
      best.pop();
    }
    let at = best.length;
    while (at > 0 && before(entry, best[at - 1] as Entry)) at--;
    best.splice(at, 0, entry);
  }
  return best;
}

export function summarize(counts: Counts, n: number): Summary {
  return {
    messages: counts.messages,
    senders: counts.users.size,
    distinctWords: counts.words.size,
    users: top(counts.users, n),
    words: top(counts.words, n),
    times: top(counts.times, n),
  };
}
