import { expect, test } from "bun:test";
import { cleanTitle, normalizeTitle } from "./normalize.ts";

test("normalizeTitle ignores case, surrounding and repeated spaces", () => {
  expect(normalizeTitle("  The   Dark Knight ")).toBe("the dark knight");
  expect(normalizeTitle("살인의\t 추억")).toBe("살인의 추억");
});

test("normalizeTitle makes NFD Hangul equal to NFC", () => {
  expect(normalizeTitle("기생충".normalize("NFD"))).toBe(normalizeTitle("기생충"));
});

test("cleanTitle keeps case", () => {
  expect(cleanTitle(" 섹스 인 더 게임 ")).toBe("섹스 인 더 게임");
  expect(cleanTitle("The  Host")).toBe("The Host");
});
