/**
 * The word count's fast path (ASCII/Hangul text split at white space, tokens segmented alone
 * and cached) must give exactly what segmenting the whole message gives, for any text.
 */
import { expect, test } from "bun:test";
import fc from "fast-check";
import {
  addMessage,
  addMessageBytes,
  addRows,
  type Counts,
  emptyTally,
  settle,
  type Tally,
  top,
} from "./stats.ts";
import { StatsRowsBuilder } from "./stats-rows.ts";
import { plainWord, words } from "./words.ts";

const segmenter = new Intl.Segmenter("ko", { granularity: "word" });

function reference(message: string): string[] {
  return [...segmenter.segment(message.normalize("NFC"))]
    .filter((s) => s.isWordLike)
    .map((s) => s.segment.toLowerCase());
}

const pieces = [
  ..."abcXYZ019",
  ..."'.,:;!?@#-_\"/()[]",
  " ",
  "  ",
  "\t",
  "\n",
  "\r\n",
  "\u000b",
  "\u000c",
  "\u0000",
  "\u007f",
  ..."안녕하세요회의ㅋㅎㅏㅓ",
  "\u1100\u1161",
  "\u1100",
  "\u1161",
  "\u11a8",
  "\u115f",
  "\u1160",
  "😀",
  "👍🏽",
  "🏽",
  "👨‍👩‍👧",
  "\u200d",
  "\ufe0f",
  "❤️",
  "🇰🇷",
  "\u0301",
  "e\u0301",
  "\u00a0",
  "\u3000",
  "\u00e9",
  "İ",
  "漢字",
  "カタカナ",
  "\ufeff",
];

const textOf = (from: string[]) =>
  fc.array(fc.constantFrom(...from), { maxLength: 30 }).map((parts) => parts.join(""));
const chatText = textOf(pieces);
// Only what the fast path takes, so most runs exercise it rather than the fallback.
const asciiHangulText = textOf(
  pieces.filter((p) => /^[\u0000-\u007f\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3]+$/.test(p)),
);

test("words() equals the segmenter over the whole message, on random Hangul/Latin/digit/punctuation/emoji text", () => {
  fc.assert(
    fc.property(chatText, (message) => {
      expect(words(message)).toEqual(reference(message));
    }),
    { numRuns: 20_000 },
  );
});

test("words() equals the segmenter on random ASCII/Hangul-only text (the fast path)", () => {
  fc.assert(
    fc.property(asciiHangulText, (message) => {
      expect(words(message)).toEqual(reference(message));
    }),
    { numRuns: 20_000 },
  );
});

test("words() equals the segmenter on arbitrary strings", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 40 }), (message) => {
      expect(words(message)).toEqual(reference(message));
    }),
    { numRuns: 5_000 },
  );
});

test("mixed Hangul and Latin chat text splits into its words", () => {
  expect(words("오늘 회의 몇 시에 시작해요? Let's go ㅋㅋㅋ")).toEqual([
    "오늘",
    "회의",
    "몇",
    "시에",
    "시작해요",
    "let's",
    "go",
    "ㅋㅋㅋ",
  ]);
});

function counted(add: (tally: Tally) => void): Counts {
  const tally = emptyTally();
  add(tally);
  return settle(tally);
}

test("addMessageBytes counts a message's UTF-8 bytes exactly as addMessage counts its text", () => {
  const utf8 = new TextEncoder();
  const messages = fc.array(
    fc.oneof(chatText, asciiHangulText, fc.string({ unit: "binary", maxLength: 40 })),
    {
      maxLength: 20,
    },
  );
  fc.assert(
    fc.property(messages, fc.constantFrom("민수", "a", ""), fc.nat(), (texts, sender, at) => {
      // The bytes are what the audit holds: a lone surrogate was never UTF-8 to begin with.
      const wellFormed = texts.map((t) => t.toWellFormed());
      const fromBytes = counted((tally) => {
        for (const t of wellFormed) addMessageBytes(tally, sender, utf8.encode(t), at * 60_000_000);
      });
      const fromText = counted((tally) => {
        for (const t of wellFormed) addMessage(tally, sender, t, at * 60_000_000);
      });
      expect(fromBytes).toEqual(fromText);
    }),
    { numRuns: 5_000 },
  );
});

test("addMessageBytes on bytes that are not UTF-8 counts what decoding them gives", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      const fromBytes = counted((tally) => addMessageBytes(tally, "s", bytes, 0));
      const fromText = counted((tally) => addMessage(tally, "s", new TextDecoder().decode(bytes), 0));
      expect(fromBytes).toEqual(fromText);
    }),
    { numRuns: 5_000 },
  );
});

test("a batch's statistics rows, counted on the main thread, count what addMessage counts row by row", () => {
  const utf8 = new TextEncoder();
  // As the audit hands them over: UTF-8 bytes from the fast decoder, text (maybe with a lone
  // surrogate) from the general one, bytes that are not UTF-8 at all; times past ±9e15 µs too.
  const message = fc.oneof(
    fc.oneof(chatText, asciiHangulText).map((t) => utf8.encode(t.toWellFormed())),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.uint8Array({ maxLength: 40 }),
  );
  const time = fc.oneof(
    fc.integer({ min: -9e15, max: 9e15 }),
    fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }),
  );
  const row = fc.tuple(fc.constantFrom("민수", "a", "", "[INFO]x"), message, time);
  fc.assert(
    fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
      const builder = new StatsRowsBuilder();
      for (const [sender, m, at] of rows) {
        if (typeof m === "string") builder.add(sender, m, at);
        else {
          // As a range of a larger buffer, as the fast decoder's bytes come.
          const around = Buffer.concat([Buffer.from("x{"), m, Buffer.from("}y")]);
          builder.addRange(sender, around, 2, 2 + m.length, at);
        }
      }
      const fromRows = counted((tally) => addRows(tally, builder.finish()));
      const rowByRow = counted((tally) => {
        for (const [sender, m, at] of rows)
          if (typeof m === "string") addMessage(tally, sender, m, at);
          else addMessageBytes(tally, sender, m, at);
      });
      expect(fromRows).toEqual(rowByRow);
    }),
    { numRuns: 3_000 },
  );
});

test("plainWord: a run of ASCII letters and digits, or of Hangul syllables, is the one word Intl.Segmenter finds, lower-cased", () => {
  const segmenter = new Intl.Segmenter("ko", { granularity: "word" });
  const segmented = (token: string) =>
    [...segmenter.segment(token)].filter((s) => s.isWordLike).map((s) => s.segment.toLowerCase());
  const of = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));
  const latin = fc.string({
    unit: fc.oneof(fc.constantFrom(..."azAZ09"), of(0x61, 0x7a), of(0x41, 0x5a), of(0x30, 0x39)),
    minLength: 1,
    maxLength: 12,
  });
  const hangul = fc.string({ unit: of(0xac00, 0xd7a3), minLength: 1, maxLength: 12 });
  const plain = fc.oneof(latin, hangul);
  fc.assert(
    fc.property(plain, (token) => {
      expect([plainWord(token)]).toEqual(segmented(token));
    }),
    { numRuns: 5_000 },
  );
  // Anything else is left to the segmenter.
  for (const token of ["", "let's", "a.b", "ㅋㅋ", "x-y", "1,000", "é", "ａ", "a\u0301"])
    expect(plainWord(token)).toBeNull();
});

test("top: the n most frequent, ties in key order, as sorting everything gives, for any n", () => {
  const sorted = (map: Map<string, number>, n: number) =>
    [...map]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, Math.max(0, n));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.integer({ min: 1, max: 6 })), { maxLength: 300 }),
      fc.integer({ min: -1, max: 40 }),
      (pairs, n) => {
        const map = new Map(pairs);
        expect(top(map, n)).toEqual(sorted(map, n));
      },
    ),
    { numRuns: 2_000 },
  );
});
