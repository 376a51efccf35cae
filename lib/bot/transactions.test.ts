/**
 * The transaction pipeline with faults injected at its producer seam: what is committed, what
 * fails, and that a failure is never turned into a retry that could answer twice.
 */
import { expect, test } from "bun:test";
import {
  type Answer,
  type Committed,
  isFenced,
  type Position,
  SlotGivenUp,
  type Transaction,
  type TransactionalProducer,
  TransactionPipeline,
} from "./transactions.ts";

type Step = "sendOffsets" | "sendBatch" | "commit";

/** A transactional producer that records every call and fails or stalls on cue. */
class FakeProducer implements TransactionalProducer {
  readonly calls: string[] = [];
  /** Offsets and answers of each committed transaction. */
  readonly committed: { offsets: string[]; answers: string[] }[] = [];
  fail: Partial<Record<Step | "abort", () => unknown>> = {};
  /** Resolves a stalled step: set `stall` to a step to hold the next transaction there. */
  stall: Step | undefined;
  release: () => void = () => {};
  disconnects = 0;

  async transaction(): Promise<Transaction> {
    this.calls.push("begin");
    const offsets: string[] = [];
    const answers: string[] = [];
    const step = async (name: Step | "abort") => {
      this.calls.push(name);
      if (this.stall === name) {
        this.stall = undefined;
        await new Promise<void>((resolve) => {
          this.release = resolve;
        });
      }
      const failure = this.fail[name]?.();
      if (failure !== undefined) throw failure;
    };
    return {
      sendOffsets: async ({ topics }) => {
        await step("sendOffsets");
        for (const { topic, partitions } of topics)
          for (const { partition, offset } of partitions) offsets.push(`${topic}/${partition}@${offset}`);
      },
      sendBatch: async ({ topicMessages }) => {
        await step("sendBatch");
        for (const { messages } of topicMessages) for (const m of messages) answers.push(m.value.toString());
      },
      commit: async () => {
        await step("commit");
        this.committed.push({ offsets, answers });
      },
      abort: async () => {
        await step("abort");
      },
    };
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
const protocolError = (type: string) =>
  Object.assign(new Error(type), { name: "KafkaJSProtocolError", type });
/** Lets the pipeline run until it waits on the fake again. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

test("answers and offsets go in one transaction; batches handed in together share it", async () => {
  const producer = new FakeProducer();
  const pipeline = new TransactionPipeline(producer, "g", 3);
  await Promise.all([pipeline.commit([answer("a")], at(5)), pipeline.commit([answer("b", 1)], at(8, 1))]);
  expect(producer.committed).toEqual([{ offsets: ["room/0@5", "room/1@8"], answers: ["a", "b"] }]);
  expect(producer.calls).toEqual(["begin", "sendOffsets", "sendBatch", "commit"]);
});

test("a commit that fails aborts, fails its batches and every later one, and never opens another producer", async () => {
  const producer = new FakeProducer();
  const pipeline = new TransactionPipeline(producer, "g", 0);
  producer.fail.commit = () => protocolError("REQUEST_TIMED_OUT");
  const first = await pipeline.commit([answer("a")], at(1)).catch((e: unknown) => e);
  expect((first as Error).message).toBe("REQUEST_TIMED_OUT");
  expect(producer.calls).toEqual(["begin", "sendOffsets", "sendBatch", "commit", "abort"]);
  producer.fail = {};
  // Its outcome is unknown (a timed-out commit may have landed): nothing more is committed here.
  const later = await pipeline.commit([answer("b")], at(2)).catch((e: unknown) => e);
  expect(later).toBe(first);
  expect(producer.committed).toEqual([]);
});

test("a fenced producer (the slot's new owner initialised its id) fails the batch as fenced", async () => {
  const producer = new FakeProducer();
  const pipeline = new TransactionPipeline(producer, "g", 0);
  producer.fail.sendOffsets = () => protocolError("PRODUCER_FENCED");
  producer.fail.abort = () => protocolError("PRODUCER_FENCED");
  const error = await pipeline.commit([answer("a")], at(1)).catch((e: unknown) => e);
  expect(isFenced(error)).toBe(true);
  expect((error as Error).message).toBe("PRODUCER_FENCED"); // not the abort's own failure
  expect(producer.committed).toEqual([]);
  // Wrapped the way kafkajs wraps retried errors, still recognised.
  expect(
    isFenced(Object.assign(new Error("retries"), { originalError: protocolError("INVALID_PRODUCER_EPOCH") })),
  ).toBe(true);
});

test("a send that fails aborts the transaction: its answers are never committed", async () => {
  const producer = new FakeProducer();
  const pipeline = new TransactionPipeline(producer, "g", 0);
  producer.fail.sendBatch = () => protocolError("NOT_ENOUGH_REPLICAS");
  await expect(pipeline.commit([answer("a")], at(1))).rejects.toThrow("NOT_ENOUGH_REPLICAS");
  expect(producer.calls.at(-1)).toBe("abort");
  expect(producer.calls).not.toContain("commit");
});

test("a report that throws after a successful commit leaves it committed, not failed or retried", async () => {
  const producer = new FakeProducer();
  const reports: Committed[] = [];
  const pipeline = new TransactionPipeline(producer, "g", 7, {
    onCommit: (committed) => {
      reports.push(committed);
      throw new Error("EPIPE: the log is gone");
    },
  });
  await pipeline.commit([answer("a")], at(1));
  await pipeline.commit([answer("b")], at(2));
  expect(producer.committed.map((t) => t.answers)).toEqual([["a"], ["b"]]);
  expect(producer.calls.filter((c) => c === "begin").length).toBe(2);
  expect(producer.calls).not.toContain("abort");
  expect(reports.map((r) => [r.slot, r.answers])).toEqual([
    [7, 1],
    [7, 1],
  ]);
});

test("CONCURRENT_TRANSACTIONS on the offsets (markers still being written) is retried at once", async () => {
  const producer = new FakeProducer();
  let refusals = 2;
  producer.fail.sendOffsets = () => (refusals-- > 0 ? protocolError("CONCURRENT_TRANSACTIONS") : undefined);
  const pipeline = new TransactionPipeline(producer, "g", 0);
  await pipeline.commit([answer("a")], at(1));
  expect(producer.committed.map((t) => t.answers)).toEqual([["a"]]);
});

test("a batch queued behind a transaction in flight is not committed once the slot is given up", async () => {
  const producer = new FakeProducer();
  const pipeline = new TransactionPipeline(producer, "g", 0);
  producer.stall = "commit";
  const first = pipeline.commit([answer("a")], at(1));
  await settle();
  const second = pipeline.commit([answer("b")], at(2)).catch((e: unknown) => e);
  expect(pipeline.pendingAnswers).toBe(2);
  const retired = pipeline.retire();
  producer.release();
  await first;
  await retired;
  expect(await second).toBeInstanceOf(SlotGivenUp);
  expect(producer.committed.map((t) => t.answers)).toEqual([["a"]]);
  expect(producer.disconnects).toBe(1);
  await expect(pipeline.commit([answer("c")], at(3))).rejects.toBeInstanceOf(SlotGivenUp);
});

test("storing start positions is a transaction of offsets alone", async () => {
  const producer = new FakeProducer();
  const pipeline = new TransactionPipeline(producer, "g", 0);
  await pipeline.storePositions([at(0), at(4, 2)]);
  expect(producer.committed).toEqual([{ offsets: ["room/0@0", "room/2@4"], answers: [] }]);
  expect(producer.calls).not.toContain("sendBatch");
});

test("the hold before commit sees the transaction open with its answers produced", async () => {
  const producer = new FakeProducer();
  const seen: string[] = [];
  const pipeline = new TransactionPipeline(producer, "g", 2, {
    beforeCommit: async ({ slot, answers }) => {
      seen.push(`${slot}:${answers}:${producer.calls.join(",")}`);
    },
  });
  await pipeline.commit([answer("a"), answer("b")], at(9));
  expect(seen).toEqual(["2:2:begin,sendOffsets,sendBatch"]);
});
