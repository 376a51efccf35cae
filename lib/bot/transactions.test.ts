/**
 * The transaction pipeline with faults injected at its writer seam (one transactional id's
 * producer, lib/kafka/transaction.ts): what is committed, what fails, and that a failure is
 * never turned into a retry that could answer twice.
 */
import { expect, test } from "bun:test";
import { KafkaFailure } from "../kafka/index.ts";
import type { TransactionalWriter, TransactionWork } from "../kafka/transaction.ts";
import { type Answer, type Committed, type Position, TransactionPipeline } from "./transactions.ts";

const failure = (code: KafkaFailure["code"], detail: string = code) =>
  new KafkaFailure(code, code !== "fenced", detail);

/** A writer that records every transaction and fails or stalls on cue. */
class FakeWriter implements TransactionalWriter {
  /** Offsets and answers of each transaction begun. */
  readonly begun: { offsets: string[]; answers: string[] }[] = [];
  readonly committed: { offsets: string[]; answers: string[] }[] = [];
  fail: (() => KafkaFailure | undefined) | undefined;
  /** Set to hold the next transaction before it commits; `release` lets it go on. */
  stall = false;
  release: () => void = () => {};
  disconnects = 0;
  holdSeen: string[] = [];

  async commit(work: TransactionWork): Promise<KafkaFailure | undefined> {
    const transaction = {
      offsets: work.positions.map(({ topic, partition, offset }) => `${topic}/${partition}@${offset}`),
      answers: work.records.map((record) => record.value.toString()),
    };
    this.begun.push(transaction);
    if (this.stall) {
      this.stall = false;
      await new Promise<void>((resolve) => {
        this.release = resolve;
      });
    }
    await work.beforeCommit?.();
    const failed = this.fail?.();
    if (failed !== undefined) return failed;
    this.committed.push(transaction);
    return undefined;
  }

  async disconnect(): Promise<void> {
    this.disconnects++;
  }
}

const answer = (text: string, partition = 0): Answer => ({
  topic: "room",
  partition,
  value: Buffer.from(text),
  headers: {},
});
const at = (offset: number, partition = 0): Position => ({
  topic: "room",
  partition,
  offset: String(offset),
});
/** Lets the pipeline run until it waits on the fake again. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

test("answers and offsets go in one transaction; batches handed in together share it", async () => {
  const writer = new FakeWriter();
  const pipeline = new TransactionPipeline(writer, "g", 3);
  const outcomes = await Promise.all([
    pipeline.commit([answer("a")], at(5)),
    pipeline.commit([answer("b", 1)], at(8, 1)),
  ]);
  expect(outcomes).toEqual([{ kind: "committed" }, { kind: "committed" }]);
  expect(writer.committed).toEqual([{ offsets: ["room/0@5", "room/1@8"], answers: ["a", "b"] }]);
});

test("of one partition's batches in a transaction, the furthest offset is committed", async () => {
  const writer = new FakeWriter();
  const pipeline = new TransactionPipeline(writer, "g", 3);
  await Promise.all([pipeline.commit([answer("a")], at(5)), pipeline.commit([answer("b")], at(9))]);
  expect(writer.committed).toEqual([{ offsets: ["room/0@9"], answers: ["a", "b"] }]);
});

test("a failed transaction fails its batches and every later one, and is never tried again", async () => {
  const writer = new FakeWriter();
  const pipeline = new TransactionPipeline(writer, "g", 0);
  const timedOut = failure("other", "REQUEST_TIMED_OUT");
  writer.fail = () => timedOut;
  expect(await pipeline.commit([answer("a")], at(1))).toBe(timedOut);
  writer.fail = undefined;
  // Its outcome is unknown (a timed-out commit may have landed): nothing more is committed here.
  expect(await pipeline.commit([answer("b")], at(2))).toBe(timedOut);
  expect(writer.begun.length).toBe(1);
  expect(writer.committed).toEqual([]);
});

test("a fenced transaction is reported as fenced to its batches and to the failure hook", async () => {
  const writer = new FakeWriter();
  const failures: KafkaFailure[] = [];
  const pipeline = new TransactionPipeline(writer, "g", 0, { onFailure: (f) => failures.push(f) });
  writer.fail = () => failure("fenced");
  const outcome = await pipeline.commit([answer("a")], at(1));
  expect(outcome.kind === "kafka-failure" && outcome.code).toBe("fenced");
  expect(failures.map((f) => f.code)).toEqual(["fenced"]);
});

test("a report that throws after a successful commit leaves it committed, not failed or retried", async () => {
  const writer = new FakeWriter();
  const reports: Committed[] = [];
  const pipeline = new TransactionPipeline(writer, "g", 7, {
    onCommit: (committed) => {
      reports.push(committed);
      throw new Error("EPIPE: the log is gone");
    },
  });
  expect(await pipeline.commit([answer("a")], at(1))).toEqual({ kind: "committed" });
  expect(await pipeline.commit([answer("b")], at(2))).toEqual({ kind: "committed" });
  expect(writer.committed.map((t) => t.answers)).toEqual([["a"], ["b"]]);
  expect(writer.begun.length).toBe(2);
  expect(reports.map((r) => [r.slot, r.answers])).toEqual([
    [7, 1],
    [7, 1],
  ]);
});

test("a batch queued behind a transaction in flight is not committed once the slot is given up", async () => {
  const writer = new FakeWriter();
  const pipeline = new TransactionPipeline(writer, "g", 0);
  writer.stall = true;
  const first = pipeline.commit([answer("a")], at(1));
  await settle();
  const second = pipeline.commit([answer("b")], at(2));
  expect(pipeline.pendingAnswers).toBe(2);
  const retired = pipeline.retire();
  writer.release();
  expect(await first).toEqual({ kind: "committed" });
  await retired;
  expect(await second).toEqual({ kind: "given-up" });
  expect(writer.committed.map((t) => t.answers)).toEqual([["a"]]);
  expect(writer.disconnects).toBe(1);
  expect(await pipeline.commit([answer("c")], at(3))).toEqual({ kind: "given-up" });
});

test("storing start positions is a transaction of offsets alone", async () => {
  const writer = new FakeWriter();
  const pipeline = new TransactionPipeline(writer, "g", 0);
  expect(await pipeline.storePositions([at(0), at(4, 2)])).toEqual({ kind: "committed" });
  expect(writer.committed).toEqual([{ offsets: ["room/0@0", "room/2@4"], answers: [] }]);
});

test("the hold before commit is told the slot and the number of answers", async () => {
  const writer = new FakeWriter();
  const seen: string[] = [];
  const pipeline = new TransactionPipeline(writer, "g", 2, {
    beforeCommit: async ({ slot, answers }) => void seen.push(`${slot}:${answers}:${writer.begun.length}`),
  });
  await pipeline.commit([answer("a"), answer("b")], at(9));
  expect(seen).toEqual(["2:2:1"]);
});
