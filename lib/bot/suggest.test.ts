import { expect, test } from "bun:test";
import { jamo } from "./hangul.ts";
import { buildSuggester, editDistance } from "./suggest.ts";

const titles = [
  "해리 포터와 마법사의 돌",
  "괴물",
  "기생충",
  "살인의 추억",
  "신과함께-죄와 벌",
  "신과함께-인과 연",
  "올드보이",
  "The Host",
];
const suggester = buildSuggester(titles);

test("a typo inside one syllable is one jamo edit", () => {
  expect(editDistance(jamo("괴몰"), jamo("괴물"))).toBe(1);
  expect(editDistance(jamo("기생춘"), jamo("기생충"))).toBe(1);
});

test("close titles come first, at most `limit`", () => {
  expect(suggester.suggest("괴몰", 3)).toEqual(["괴물"]);
  expect(suggester.suggest("살인의 추엌", 3)).toEqual(["살인의 추억"]);
  expect(suggester.suggest("신과함께", 3)).toEqual(["신과함께-죄와 벌", "신과함께-인과 연"]);
  expect(suggester.suggest("신과함께", 1)).toHaveLength(1);
});

test("case and spacing do not matter; nothing close → nothing", () => {
  expect(suggester.suggest("해리포터", 3)).toEqual(["해리 포터와 마법사의 돌"]);
  expect(suggester.suggest("the  hots", 3)).toEqual(["The Host"]);
  expect(suggester.suggest("타이타닉", 3)).toEqual([]);
  expect(suggester.suggest("", 3)).toEqual([]);
});

test("a miss costs a bounded amount of work on a large list", () => {
  const many = Array.from({ length: 50_000 }, (_, i) => `영화 ${i}`);
  const large = buildSuggester([...many, "기생충"]);
  expect(large.suggest("기생춘", 3)).toEqual(["기생충"]);
});
