/**
 * The original auditor's three statistics over processed messages: user count (messages per
 * sender), word count and time count (messages per local hour:minute). Words are what
 * `Intl.Segmenter` calls word-like, so Hangul, Latin and mixed text split sensibly ("한국어랑
 * 영어" is two words, "i'm" one); they are compared after NFC and lower-casing.
 */
import { MINUTES_A_DAY, type Micros, minuteOfDay } from "./micros.ts";
import type { StatsRows } from "./stats-rows.ts";
import { ByteTokenCounts, TokenCounts } from "./token-counts.ts";
import { fastByteTokens, plainWord, segmentToken, segmentWhole, tokenize } from "./words.ts";

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

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
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

// Token bounds of the message being counted (words.ts fills them).
const textBounds: number[] = [];
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
  const text = tokenize(message, textBounds);
  if (text === null) {
    for (const word of segmentWhole(message)) bump(tally.words, word);
  } else {
    for (let i = 0; i < textBounds.length; i += 2)
      tally.tokens.add(text, textBounds[i] as number, textBounds[i + 1] as number);
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
