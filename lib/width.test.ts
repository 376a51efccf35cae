import { describe, expect, test } from "bun:test";
import { cells, cellWidth, displayWidth, fit, graphemes, truncate, wrap } from "./width.ts";

describe("displayWidth", () => {
  test("Hangul syllables are 2 cells, ASCII 1", () => {
    expect(displayWidth("안녕하세요")).toBe(10);
    expect(displayWidth("hi 안녕")).toBe(7);
  });

  test("decomposed Hangul (as macOS sends it) measures like the composed form", () => {
    const decomposed = "한글".normalize("NFD");
    expect(decomposed.length).toBe(6);
    expect(displayWidth(decomposed)).toBe(4);
  });

  test("conjoining jamo after a syllable and combining marks take 0 cells", () => {
    expect(cellWidth("\u1100\u1161\u11a8")).toBe(2);
    expect(displayWidth("e\u0301")).toBe(1);
  });

  test("emoji, flags and ZWJ sequences are 2 cells", () => {
    expect(displayWidth("👍")).toBe(2);
    expect(displayWidth("🇰🇷")).toBe(2);
    expect(displayWidth("👨‍👩‍👧")).toBe(2);
  });

  test("East Asian ambiguous characters follow the option", () => {
    expect(displayWidth("※○")).toBe(2);
    expect(displayWidth("※○", { ambiguousWide: true })).toBe(4);
  });
});

describe("wrap", () => {
  test("breaks after the last space that fits", () => {
    expect(wrap("hello there world", 11)).toEqual(["hello there", "world"]);
  });

  test("never splits a wide character: an odd column left over wraps early", () => {
    expect(wrap("가나다라", 5)).toEqual(["가나", "다라"]);
    for (const row of wrap("가나다라마바사", 5)) expect(cellWidth(row)).toBeLessThanOrEqual(5);
  });

  test("hard-breaks words longer than the line", () => {
    expect(wrap("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
  });

  test("first row and continuation rows can have different widths", () => {
    expect(wrap("aaaa bbbb cccc", 4, 9)).toEqual(["aaaa", "bbbb cccc"]);
  });

  test("grapheme clusters stay whole", () => {
    const family = "👨‍👩‍👧";
    expect(wrap(`${family}${family}${family}`, 4)).toEqual([`${family}${family}`, family]);
  });

  test("a width below 2 is raised so a wide character still fits (no endless loop)", () => {
    expect(wrap("안녕", 1)).toEqual(["안", "녕"]);
    expect(wrap("", 10)).toEqual([""]);
  });
});

describe("truncate and fit", () => {
  test("cuts by cells and marks the cut", () => {
    expect(truncate("안녕하세요", 7)).toBe("안녕하…");
    expect(truncate("short", 10)).toBe("short");
  });

  test("fit pads to exactly the width", () => {
    expect(cellWidth(fit("안녕", 7))).toBe(7);
    expect(cellWidth(fit("안녕하세요", 5))).toBe(5);
  });

  test("graphemes splits by user-perceived characters", () => {
    expect(graphemes("한🇰🇷e\u0301")).toEqual(["한", "🇰🇷", "e\u0301"]);
  });
});

describe("the printable-ASCII fast path measures exactly as segmenting everything does", () => {
  const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  const slow = (text: string) => Array.from(segmenter.segment(text), (s) => s.segment);
  const slowWidth = (text: string, ambiguousWide = false) =>
    slow(text).reduce(
      (sum, c) => sum + Bun.stringWidth(c, { ambiguousIsNarrow: !ambiguousWide, countAnsiEscapeCodes: true }),
      0,
    );
  // ASCII next to what can join it: combining marks, keycaps, ZWJ, variation selectors, a
  // prepend character (U+0600), Hangul jamo, emoji, ambiguous-width signs.
  const pieces = [
    "a",
    "e",
    "1",
    "#",
    " ",
    "~",
    "\u0301",
    "\ufe0f",
    "\u20e3",
    "\u200d",
    "\u0600",
    "\u1100",
    "\u1161",
    "한",
    "👍",
    "🇰",
    "※",
    "·",
    "\u00e9",
  ];

  test("random mixes, both ambiguous-width settings", () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 3000; n++) {
      const length = next() % 12;
      const text = Array.from({ length }, () => pieces[next() % pieces.length]).join("");
      expect(graphemes(text)).toEqual(slow(text));
      for (const ambiguousWide of [false, true]) {
        expect(cellWidth(text, { ambiguousWide })).toBe(slowWidth(text, ambiguousWide));
      }
      const nfc = text.normalize("NFC");
      expect(cells(text).map((c) => c.text)).toEqual(slow(nfc));
      expect(cells(text).reduce((sum, c) => sum + c.width, 0)).toBe(slowWidth(nfc));
    }
  });
});
