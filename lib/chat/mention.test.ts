import { describe, expect, test } from "bun:test";
import { mentions } from "./mention.ts";

describe("mentions", () => {
  test("@name anywhere, or the name as a whole word, ignoring case", () => {
    expect(mentions("hey @alex look", "alex")).toBe(true);
    expect(mentions("Alex, lunch?", "alex")).toBe(true);
    expect(mentions("ask ALEX.", "alex")).toBe(true);
    expect(mentions("alexander is here", "alex")).toBe(false);
    expect(mentions("mini", "min")).toBe(false);
  });

  test("Hangul names with particles and honorifics count; a longer word does not", () => {
    for (const text of ["민수야 점심", "민수님 안녕하세요", "민수가 왔다", "@민수 봐줘", "민수, 여기"]) {
      expect(mentions(text, "민수")).toBe(true);
    }
    expect(mentions("민수기 3장", "민수")).toBe(false);
    expect(mentions("이민수정", "민수")).toBe(false);
  });

  test("decomposed (NFD) text matches a composed name", () => {
    expect(mentions("민수야".normalize("NFD"), "민수")).toBe(true);
  });

  test("names with regex characters are taken literally", () => {
    expect(mentions("hi a.b", "a.b")).toBe(true);
    expect(mentions("hi axb", "a.b")).toBe(false);
  });
});
