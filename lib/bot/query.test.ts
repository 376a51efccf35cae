import { describe, expect, test } from "bun:test";
import { parseQuestion } from "./query.ts";

describe("parseQuestion", () => {
  test.each([
    ["@bot 기생충 | 감독", { kind: "ask", title: "기생충", field: "director" }],
    ["@봇 기생충|장르", { kind: "ask", title: "기생충", field: "genre" }],
    ["@bot 살인의 추억 |제작년도", { kind: "ask", title: "살인의 추억", field: "year" }],
    ["@bot Parasite | director", { kind: "ask", title: "Parasite", field: "director" }],
    ["@bot 괴물 | Genre", { kind: "ask", title: "괴물", field: "genre" }],
    ["@BOT 괴물 | year", { kind: "ask", title: "괴물", field: "year" }],
    ["저기요 @bot 괴물|감독", { kind: "ask", title: "괴물", field: "director" }],
    ["@bot", { kind: "empty" }],
    ["@봇   ", { kind: "empty" }],
    ["@bot 기생충", { kind: "malformed" }],
    ["@bot 기생충 | 배우", { kind: "malformed" }],
    ["@bot | 감독", { kind: "malformed" }],
    ["@bot 기생충 | 감독 | 장르", { kind: "malformed" }],
    ["@bot 기생충 |", { kind: "malformed" }],
  ])("%p", (message, expected) => {
    expect(parseQuestion(message)).toEqual(expected as never);
  });

  test.each(["안녕하세요", "메일은 me@botany.org 로", "bot 기생충|감독", ""])(
    "not for the bot: %p",
    (message) => {
      expect(parseQuestion(message)).toBeUndefined();
    },
  );

  test("decomposed Hangul trigger and title are recognised", () => {
    expect(parseQuestion("@봇 기생충|감독".normalize("NFD"))).toEqual({
      kind: "ask",
      title: "기생충",
      field: "director",
    });
  });
});
