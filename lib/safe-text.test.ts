import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { safeLines, safeText } from "./safe-text.ts";

// What must never reach the terminal, checked code point by code point (for..of yields an
// unpaired surrogate on its own): C0, DEL, C1, bidi/format controls, U+2028/2029, BOM.
const FORMAT_CONTROLS = new Set([
  0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x2028,
  0x2029, 0xfeff,
]);
function isDangerous(text: string): boolean {
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (
      cp < 0x20 ||
      (cp >= 0x7f && cp <= 0x9f) ||
      FORMAT_CONTROLS.has(cp) ||
      (cp >= 0xd800 && cp <= 0xdfff)
    ) {
      return true;
    }
  }
  return false;
}

const fragments = fc.constantFrom(
  "\x1b",
  "\x1b[2J",
  "\x1b[H",
  "\x1b[31m",
  "\x9b",
  "\x9b6n",
  "\x1b]52;c;aGVsbG8=\x07",
  "\x1b]0;owned\x1b\\",
  "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\",
  "\x1bP+q544e\x1b\\",
  "\x90q\x9c",
  "\r",
  "\n",
  "\t",
  "\b",
  "\x7f",
  "\u202e",
  "\u2066",
  "\u2069",
  "\u200f",
  "\u061c",
  "\u2028",
  "\ufeff",
  "\ud800",
  "\udfff",
  "안녕",
  "😀",
  "👩‍💻",
  "hello",
);
const hostile = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.array(fragments).map((parts) => parts.join("")),
);

describe("safeText", () => {
  test("C0 controls become Control Pictures, DEL becomes ␡", () => {
    expect(safeText("\x1b[2J")).toBe("␛[2J");
    expect(safeText("a\nb\tc\rd\x00\x07")).toBe("a␊b␉c␍d␀␇");
    expect(safeText("\x7f")).toBe("␡");
  });

  test("C1 controls and bidi/format characters become <U+XXXX>", () => {
    expect(safeText("\x9b2J")).toBe("<U+009B>2J");
    expect(safeText("\x80\x9f")).toBe("<U+0080><U+009F>");
    expect(safeText("abc\u202Edef")).toBe("abc<U+202E>def");
    expect(safeText("\u061c\u200e\u200f\u202a\u2066\u2069\u2028\u2029\ufeff")).toBe(
      "<U+061C><U+200E><U+200F><U+202A><U+2066><U+2069><U+2028><U+2029><U+FEFF>",
    );
  });

  test("OSC 52 clipboard write is shown, not executed", () => {
    expect(safeText("\x1b]52;c;aGVsbG8=\x07")).toBe("␛]52;c;aGVsbG8=␇");
  });

  test("unpaired surrogates become U+FFFD, pairs stay", () => {
    expect(safeText("a\ud800b\udfffc")).toBe("a\ufffdb\ufffdc");
    expect(safeText("\ude00\ud83d")).toBe("\ufffd\ufffd");
    expect(safeText("\ud83d\ude00")).toBe("😀");
  });

  test("printable text passes unchanged", () => {
    for (const text of [
      "hello, world ~!@#$%^&*()",
      "안녕하세요 팀2 회의실",
      "\u1112\u1161\u11ab", // conjoining jamo
      "👩‍💻 ❤️ 🇰🇷 👍🏽", // ZWJ, variation selector, flags, skin tone
      "e\u0301", // combining mark
      "\u200c\u200d",
      "",
    ]) {
      expect(safeText(text)).toBe(text);
    }
  });

  test("the checker used below recognises each dangerous class", () => {
    for (const bad of ["\x00", "\x1b", "\x7f", "\x9b", "\u202e", "\u2028", "\ufeff", "\ud800", "a\udfff"]) {
      expect(isDangerous(bad)).toBe(true);
    }
    expect(isDangerous("안녕 😀 ␛ <U+202E>")).toBe(false);
  });

  test("property: no dangerous code point survives, for arbitrary and hostile text", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(isDangerous(safeText(text))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  test("property: idempotent", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const once = safeText(text);
        expect(safeText(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  test("property: printable Hangul, emoji and ASCII pass unchanged", () => {
    const printable = fc.oneof(
      fc.string({ unit: "grapheme-ascii" }).filter((text) => !isDangerous(text)),
      fc.string({ unit: fc.constantFrom("가", "힣", "한", "😀", "👩‍💻", "❤️", "🇰🇷", " ", "a", "~") }),
    );
    fc.assert(fc.property(printable, (text) => expect(safeText(text)).toBe(text)));
  });
});

describe("safeLines", () => {
  test("splits on \\r\\n, \\n and \\r, expands tabs to 4 spaces, sanitizes each line", () => {
    expect(safeLines("a\r\nb\nc\rd")).toEqual(["a", "b", "c", "d"]);
    expect(safeLines("\nUser [u] has exited the chatroom.")).toEqual([
      "",
      "User [u] has exited the chatroom.",
    ]);
    expect(safeLines("x\ty")).toEqual(["x    y"]);
    expect(safeLines("\x1b[1A\x1b[2Kfake\n\u202eevil")).toEqual(["␛[1A␛[2Kfake", "<U+202E>evil"]);
  });

  test("property: no line holds a dangerous code point", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        for (const line of safeLines(text)) expect(isDangerous(line)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
