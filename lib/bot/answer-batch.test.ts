/**
 * A batch hands its answers to the slot's pipeline without waiting for the commit (so the next
 * fetch is not held up), logs and counts them only once committed, and turns a failed commit
 * into a rejoin — except when the batch was merely dropped because its slot was given up.
 */
import { expect, test } from "bun:test";
import { KafkaFailure } from "../kafka/index.ts";
import { encode, textRecord } from "../wire.ts";
import { type AnswerContext, answerBatch } from "./answer-batch.ts";
import { BatchReport } from "./batch-report.ts";
import { BotMetrics } from "./metrics.ts";
import { movieDb } from "./movies.ts";
import { RateLimiter } from "./rate-limit.ts";
import type { Answer, Outcome, TransactionPipeline } from "./transactions.ts";

function setup() {
  const logged: string[] = [];
  const failures: KafkaFailure[] = [];
  let settle: (outcome: Outcome) => void = () => {};
  const handed: Answer[][] = [];
  const pipeline = {
    slot: 3,
    pendingAnswers: 0,
    commit: (answers: Answer[]) => {
      handed.push(answers);
      return new Promise<Outcome>((resolve) => {
        settle = resolve;
      });
    },
  } as unknown as TransactionPipeline;
  const metrics = new BotMetrics();
  const report = new BatchReport((_level, event) => logged.push(event), metrics);
  const context: AnswerContext = {
    db: movieDb([]),
    limiter: new RateLimiter({ burst: 0, intervalMs: 1 }),
    report,
    fail: (failure) => failures.push(failure),
  };
  const batch = (texts: string[]) => ({
    topic: "room",
    partition: 0,
    highWatermark: String(texts.length),
    records: texts.map((text, i) => ({
      offset: String(i),
      timestamp: String(Date.now()),
      value: encode(textRecord("kim", text, new Date())),
      transactional: false,
    })),
  });
  return {
    pipeline,
    context,
    metrics,
    report,
    logged,
    failures,
    handed,
    batch,
    settle: (outcome: Outcome) => settle(outcome),
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

test("the batch is read at once; the answers are logged and counted once committed", async () => {
  const t = setup();
  expect(await answerBatch(t.batch(["@bot 기생충 | 감독", "안녕"]), t.pipeline, t.context)).toBe("read");
  expect(t.handed.map((answers) => answers.length)).toEqual([1]);
  expect(t.logged).toEqual([]);
  expect(t.metrics.records.answered).toBe(0);
  t.settle({ kind: "committed" });
  await flush();
  expect(t.logged).toEqual(["answer"]);
  expect(t.metrics.records).toEqual({ answered: 1, rate_limited: 0, malformed: 0, ignored: 1 });
  expect(t.report.totals.answered).toBe(1);
});

test("a failed commit makes the replica rejoin; a batch dropped with its slot does not", async () => {
  const t = setup();
  await answerBatch(t.batch(["@bot 기생충 | 감독"]), t.pipeline, t.context);
  t.settle({ kind: "given-up" });
  await flush();
  expect(t.failures).toEqual([]);
  await answerBatch(t.batch(["@bot 기생충 | 감독"]), t.pipeline, t.context);
  const fenced = new KafkaFailure("fenced", false, "fenced");
  t.settle(fenced);
  await flush();
  expect(t.failures).toEqual([fenced]);
  expect(t.logged).toEqual(["fenced"]);
  await answerBatch(t.batch(["@bot 기생충 | 감독"]), t.pipeline, t.context);
  const down = new KafkaFailure("unreachable", true, "refused");
  t.settle(down);
  await flush();
  expect(t.failures).toEqual([fenced, down]);
  expect(t.logged).toEqual(["fenced"]);
  expect(t.metrics.records.answered).toBe(0);
});

test("nothing to answer: no transaction, the batch is read and counted", async () => {
  const t = setup();
  expect(await answerBatch(t.batch(["안녕하세요", "not a question"]), t.pipeline, t.context)).toBe("read");
  expect(t.handed).toEqual([]);
  expect(t.metrics.records.ignored).toBe(2);
});
