/**
 * The rule for records written inside a transaction (read-batch.ts): never a question, whether
 * its transaction committed, aborted or is still open, since a read_uncommitted reader cannot
 * tell which; the same question written outside a transaction is answered.
 */
import { expect, test } from "bun:test";
import { encode, textRecord } from "../wire.ts";
import { type Movie, movieDb } from "./movies.ts";
import { RateLimiter } from "./rate-limit.ts";
import { type BatchRecord, readBatch } from "./read-batch.ts";

const movie: Movie = {
  code: "1",
  title: "기생충",
  titleEn: "Parasite",
  year: "2019",
  genres: ["드라마"],
  directors: ["봉준호"],
};

const question = (offset: number, transactional: boolean): BatchRecord => ({
  offset: String(offset),
  timestamp: "0",
  value: encode(textRecord(`user${offset}`, "@bot 기생충 | 감독", new Date(0))),
  transactional,
});

test("a question written inside a transaction is ignored; the same question outside one is answered", () => {
  const context = { db: movieDb([movie]), limiter: new RateLimiter({ burst: 5, intervalMs: 1 }), nowMs: 0 };
  const read = readBatch("room", 0, [question(7, true), question(8, false)], context);
  expect(read.asked.map((asked) => asked.offset)).toEqual(["8"]);
  expect(read.answers.map((answer) => answer.headers)).toEqual([{ "dchat-reply-to": "room/0/8" }]);
  expect(read.outcomes).toEqual({ answered: 1, rate_limited: 0, malformed: 0, ignored: 1 });
});
