import { describe, expect, test } from "bun:test";
import { AND, finalSound, jamo, OBJECT, SUBJECT, withParticle } from "./hangul.ts";

describe("withParticle 을/를", () => {
  test.each([
    ["기생충", "기생충을"],
    ["괴물", "괴물을"],
    ["부산행", "부산행을"],
    ["타짜", "타짜를"],
    ["올드보이", "올드보이를"],
    ["범죄도시2", "범죄도시2를"],
    ["범죄도시3", "범죄도시3을"],
    ["1987", "1987을"],
    ["택시운전사 2", "택시운전사 2를"],
    ["10", "10을"],
    ["2000", "2000을"],
    ["2009 로스트 메모리즈", "2009 로스트 메모리즈를"],
    ["Up", "Up을"],
    ["Titanic", "Titanic을"],
    ["Inception", "Inception을"],
    ["Joker", "Joker를"],
    ["Matrix", "Matrix를"],
    ["E.T.", "E.T.를"],
    ["JSA", "JSA를"],
    ["M", "M을"],
    ["괴물(2006)", "괴물(2006)을"],
    ["휴가(2016)", "휴가(2016)를"],
    ["타짜 (Tazza)", "타짜 (Tazza)를"],
    ["살인의 추억!", "살인의 추억!을"],
    ["怪物", "怪物을(를)"],
  ])("%s → %s", (word, expected) => {
    expect(withParticle(word, OBJECT)).toBe(expected);
  });

  test("other particle pairs follow the same ending", () => {
    expect(withParticle("기생충", SUBJECT)).toBe("기생충이");
    expect(withParticle("타짜", SUBJECT)).toBe("타짜가");
    expect(withParticle("괴물", AND)).toBe("괴물과");
  });

  test("decomposed (NFD) Hangul is judged like NFC", () => {
    expect(finalSound("기생충".normalize("NFD"))).toBe("consonant");
  });

  test("nothing speakable → unknown", () => {
    expect(finalSound("")).toBe("unknown");
    expect(finalSound("!!!")).toBe("unknown");
  });
});

describe("jamo", () => {
  test("splits a syllable into initial, medial and final", () => {
    expect(jamo("각")).toEqual([0x1100, 0x1161, 0x11a8]);
    expect(jamo("가")).toEqual([0x1100, 0x1161]);
  });
  test("initial and final ㄱ are different symbols", () => {
    const [initial] = jamo("가");
    const final = jamo("악")[2];
    expect(initial).not.toBe(final);
  });
  test("other characters pass through as code points", () => {
    expect(jamo("a1")).toEqual([0x61, 0x31]);
  });
});
