import { expect, test } from "bun:test";
import { encode, joinRecord, leaveRecord, textRecord } from "../wire.ts";
import { type Movie, movieDb } from "./movies.ts";
import { RateLimiter } from "./rate-limit.ts";
import { respond } from "./respond.ts";

const movie: Movie = {
  code: "1",
  title: "기생충",
  titleEn: "Parasite",
  year: "2019",
  genres: ["드라마"],
  directors: ["봉준호"],
};
const now = new Date("2024-08-26T11:26:28Z");

function context(burst = 5) {
  return { db: movieDb([movie]), limiter: new RateLimiter({ burst, intervalMs: 1000 }), room: "r", nowMs: 0 };
}

const value = (sender: string, message: string) => encode(textRecord(sender, message, now));

test("a question is answered", () => {
  expect(respond(value("kim", "@bot 기생충|감독"), 0, context())).toEqual({
    kind: "reply",
    sender: "kim",
    text: "기생충을 만든 감독의 이름은 봉준호 입니다.",
  });
});

test("bots, notices and leave records are never answered", () => {
  const ctx = context();
  expect(respond(value("[bot]", "@bot 기생충|감독"), 0, ctx)).toEqual({ kind: "ignore", reason: "bot" });
  expect(respond(value("[INFO]", "@bot 기생충|감독"), 0, ctx)).toEqual({ kind: "ignore", reason: "bot" });
  expect(respond(value("[reminder]", "@bot 기생충|감독"), 0, ctx)).toEqual({ kind: "ignore", reason: "bot" });
  expect(respond(encode(joinRecord("@bot 기생충|감독", now)), 0, ctx)).toEqual({
    kind: "ignore",
    reason: "bot",
  });
  expect(respond(encode(leaveRecord("kim", now)), 0, ctx)).toEqual({ kind: "ignore", reason: "leave" });
  expect(respond(value("kim", "안녕"), 0, ctx)).toEqual({ kind: "ignore", reason: "chatter" });
});

test("malformed records are reported, not answered", () => {
  const ctx = context();
  expect(respond(Buffer.from("nope"), 0, ctx)).toMatchObject({ kind: "malformed", problem: "not-json" });
  expect(respond(null, 0, ctx)).toMatchObject({ kind: "malformed", problem: "empty" });
  expect(respond(Buffer.from([0xff]), 0, ctx)).toMatchObject({ kind: "malformed", problem: "invalid-utf8" });
});

test("a flooding sender gets one notice, then nothing", () => {
  const ctx = context(1);
  expect(respond(value("kim", "@bot 기생충|감독"), 0, ctx).kind).toBe("reply");
  expect(respond(value("kim\u001b[2J", "@bot 기생충|감독"), 0, ctx).kind).toBe("reply");
  expect(respond(value("kim", "@bot 기생충|감독"), 0, ctx)).toEqual({
    kind: "reply",
    sender: "kim",
    text: "kim님, 질문이 너무 많습니다. 잠시 후 다시 물어봐 주세요.",
  });
  expect(respond(value("kim", "@bot 기생충|감독"), 0, ctx)).toEqual({ kind: "limited", sender: "kim" });
});

test("the notice shows a hostile sender name harmlessly", () => {
  const ctx = context(1);
  const evil = "x\u001b]0;t\u0007";
  respond(value(evil, "@bot 기생충|감독"), 0, ctx);
  const outcome = respond(value(evil, "@bot 기생충|감독"), 0, ctx);
  expect(outcome.kind === "reply" && outcome.text).not.toContain("\u001b");
});
