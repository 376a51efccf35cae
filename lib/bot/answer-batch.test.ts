/**
 * A batch hands its answers to the slot's pipeline without waiting for the commit (so the next
 * fetch is not held up), logs and counts them only once committed, and turns a failed commit
 * into a rejoin — except when the batch was merely dropped because its slot was given up.
 */
import { expect, test } from "bun:test";
import { encode, textRecord } from "../wire.ts";
import { type AnswerContext, answerBatch } from "./answer-batch.ts";
import { BotMetrics } from "./metrics.ts";
import { movieDb } from "./movies.ts";
import { RateLimiter } from "./rate-limit.ts";
import { type Answer, SlotGivenUp, type TransactionPipeline } from "./transactions.ts";

function setup() {
  const logged: string[] = [];
  const failures: unknown[] = [];
  let settle: (error?: unknown) => void = () => {};
  const handed: Answer[][] = [];
  const pipeline = {
    pendingAnswers: 0,
    commit: (answers: Answer[]) => {
      handed.push(answers);
      return new Promise<void>((resolve, reject) => {
        settle = (error) => (error ? reject(error) : resolve());
      });
    },
  } as unknown as TransactionPipeline;
  const context: AnswerContext = {
    db: movieDb([]),
    limiter: new RateLimiter({ burst: 0, intervalMs: 1 }),
    log: (_level, event) => logged.push(event),
    metrics: new BotMetrics(),
    totals: { answered: 0, malformed: 0, rateLimited: 0 },
    fail: (error) => failures.push(error),
  };
  const resolved: string[] = [];
  const payload = (texts: string[]) => ({
    batch: {
      topic: "room",
      partition: 0,
      highWatermark: String(texts.length),
      messages: texts.map((text, i) => ({
        offset: String(i),
        timestamp: String(Date.now()),
        value: encode(textRecord("kim", text, new Date())),
      })),
    } as never,
    resolveOffset: (offset: string) => resolved.push(offset),
  });
  return {
    pipeline,
    context,
    logged,
    failures,
    handed,
    resolved,
    payload,
    settle: (e?: unknown) => settle(e),
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

test("offsets are marked read at once; the answers are logged and counted once committed", async () => {
  const t = setup();
  await answerBatch(t.payload(["@bot 기생충 | 감독", "안녕"]), t.pipeline, t.context);
  expect(t.handed.map((answers) => answers.length)).toEqual([1]);
  expect(t.resolved).toEqual(["1"]);
  expect(t.logged).toEqual([]);
  expect(t.context.metrics.records.answered).toBe(0);
  t.settle();
  await flush();
  expect(t.logged).toEqual(["answer"]);
  expect(t.context.metrics.records).toEqual({ answered: 1, rate_limited: 0, malformed: 0, ignored: 1 });
  expect(t.context.totals.answered).toBe(1);
});

test("a failed commit makes the replica rejoin; a batch dropped with its slot does not", async () => {
  const t = setup();
  await answerBatch(t.payload(["@bot 기생충 | 감독"]), t.pipeline, t.context);
  t.settle(new SlotGivenUp(3));
  await flush();
  expect(t.failures).toEqual([]);
  await answerBatch(t.payload(["@bot 기생충 | 감독"]), t.pipeline, t.context);
  const fenced = Object.assign(new Error("fenced"), { type: "PRODUCER_FENCED" });
  t.settle(fenced);
  await flush();
  expect(t.failures).toEqual([fenced]);
  expect(t.logged).toEqual(["fenced"]);
  expect(t.context.metrics.records.answered).toBe(0);
});

test("nothing to answer: no transaction, offsets marked read", async () => {
  const t = setup();
  await answerBatch(t.payload(["안녕하세요", "not a question"]), t.pipeline, t.context);
  expect(t.handed).toEqual([]);
  expect(t.resolved).toEqual(["1"]);
  expect(t.context.metrics.records.ignored).toBe(2);
});
