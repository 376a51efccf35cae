/**
 * A message into the words the statistics count (stats.ts): what `Intl.Segmenter` calls
 * word-like, after NFC and lower-casing, with fast paths that give the same words for the text
 * chat mostly is (ASCII and Hangul), from its UTF-16 text or straight from its UTF-8 bytes.
 */
import { fnv1aStep, OFFSET_BASIS } from "../fnv1a.ts";

const segmenter = new Intl.Segmenter("ko", { granularity: "word" });

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

export function segmentToken(token: string): readonly string[] {
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

/**
 * The message's fast-path text, its tokens' bounds left in `into` as [start, end) pairs; null
 * when the message must be segmented whole.
 */
export function tokenize(message: string, into: number[]): string | null {
  if (fastTokens(message, isStable, into)) return message;
  const text = message.normalize("NFC");
  return fastTokens(text, isFastPath, into) ? text : null;
}

export function* segmentWhole(message: string): Generator<string> {
  for (const segment of segmenter.segment(message.normalize("NFC"))) {
    if (segment.isWordLike) yield segment.segment.toLowerCase();
  }
}

const bounds: number[] = [];

/** The message's words, as the statistics count them. */
export function words(message: string): string[] {
  const text = tokenize(message, bounds);
  if (text === null) return [...segmentWhole(message)];
  const out: string[] = [];
  for (let i = 0; i < bounds.length; i += 2) out.push(...segmentToken(text.slice(bounds[i], bounds[i + 1])));
  return out;
}

/**
 * Token boundaries of the UTF-8 text [start, end) of `bytes` whose every character `isStable`
 * accepts, as [start, end, FNV-1a hash] triples in `into` (hashed in the same pass: counting
 * hashes every token, and a second pass over the bytes was a sixth of the counting): the same
 * tokens `fastTokens(text, isStable)` finds in the decoded text, since every separator is one
 * ASCII byte. False as soon as a character is anything else (or the bytes are not UTF-8).
 */
export function fastByteTokens(bytes: Uint8Array, from: number, to: number, into: number[]): boolean {
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
