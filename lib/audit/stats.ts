/**
 * The original auditor's three statistics over processed messages: user count (messages per
 * sender), word count and time count (messages per local hour:minute). Words are what
 * `Intl.Segmenter` calls word-like, so Hangul, Latin and mixed text split sensibly ("한국어랑
 * 영어" is two words, "i'm" one); they are compared after NFC and lower-casing.
 */

export interface Counts {
  messages: number;
  users: Map<string, number>;
  words: Map<string, number>;
  times: Map<string, number>;
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

export function emptyCounts(): Counts {
  return { messages: 0, users: new Map(), words: new Map(), times: new Map() };
}

const segmenter = new Intl.Segmenter("ko", { granularity: "word" });

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

// UAX #29 never joins across white space, so each white-space-separated token segments alone to
// the same words; chat vocabulary repeats, so a token's words are remembered (bounded).
const TOKEN_CACHE_LIMIT = 200_000;
const tokenWords = new Map<string, readonly string[]>();
// \s minus U+FEFF, which UAX #29 treats as Format (ignored inside a word), not as a break.
const WHITE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

function segmentToken(token: string): readonly string[] {
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

function forEachWord(message: string, visit: (word: string) => void): void {
  for (const token of message.normalize("NFC").split(WHITE_SPACE)) {
    if (token === "") continue;
    for (const word of segmentToken(token)) visit(word);
  }
}

export function words(message: string): string[] {
  const out: string[] = [];
  forEachWord(message, (word) => out.push(word));
  return out;
}

const MINUTE_MICROS = 60_000_000n;
const MINUTES_PER_DAY = 1440n;
const HOUR_MINUTES = Array.from(
  { length: 1440 },
  (_, m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`,
);

/** `HH:MM` of a zone-less wall-clock reading in microseconds. */
export function hourMinute(localMicros: bigint): string {
  let minutes = localMicros / MINUTE_MICROS;
  // BigInt division truncates toward zero; a reading before 1970 needs the floor.
  if (localMicros < 0n && minutes * MINUTE_MICROS !== localMicros) minutes -= 1n;
  return HOUR_MINUTES[Number(((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY)] as string;
}

export function addMessage(counts: Counts, sender: string, message: string, localMicros: bigint): void {
  counts.messages++;
  bump(counts.users, sender);
  forEachWord(message, (word) => bump(counts.words, word));
  bump(counts.times, hourMinute(localMicros));
}

export function mergeCounts(into: Counts, from: Counts): void {
  into.messages += from.messages;
  for (const [k, v] of from.users) bump(into.users, k, v);
  for (const [k, v] of from.words) bump(into.words, k, v);
  for (const [k, v] of from.times) bump(into.times, k, v);
}

/** Most frequent first; ties in key order, so the output is stable. */
export function top(map: Map<string, number>, n: number): Entry[] {
  return [...map]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, n);
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
