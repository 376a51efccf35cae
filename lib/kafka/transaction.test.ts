/**
 * One transaction's steps with faults injected at kafkajs's transaction seam: the order of the
 * steps, an abort on every failure, and failures classified from kafkajs's error classes.
 */
import { expect, test } from "bun:test";
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from "kafkajs";
import type { KafkaFailure } from "./failure.ts";
import {
  type TransactionSplit,
  type TransactionSteps,
  type TransactionWork,
  transact,
} from "./transaction.ts";

type Step = "sendOffsets" | "sendBatch" | "commit" | "abort";

/** One kafkajs transaction that records its calls and fails on cue. */
function fakeTransaction(fail: Partial<Record<Step, () => unknown>> = {}) {
  const calls: string[] = [];
  const offsets: string[] = [];
  const records: string[] = [];
  const step = async (name: Step) => {
    calls.push(name);
    const failure = fail[name]?.();
    if (failure !== undefined) throw failure;
  };
  const steps: TransactionSteps = {
    sendOffsets: async ({ consumerGroupId, topics }) => {
      await step("sendOffsets");
      for (const { topic, partitions } of topics)
        for (const { partition, offset } of partitions)
          offsets.push(`${consumerGroupId}:${topic}/${partition}@${offset}`);
    },
    sendBatch: async ({ topicMessages }) => {
      await step("sendBatch");
      for (const { topic, messages } of topicMessages)
        for (const { partition, value } of messages) records.push(`${topic}/${partition}:${value}`);
    },
    commit: () => step("commit"),
    abort: () => step("abort"),
  };
  return { steps, calls, offsets, records, begin: async () => steps };
}

const protocolError = (type: string, retriable = false) =>
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, retriable }) as unknown as Error);

/** The parts of a failure these tests decide on. */
const seen = (failure: KafkaFailure | undefined) =>
  failure && [failure.code, failure.retriable, failure.detail];

const work = (extra: Partial<TransactionWork> = {}): TransactionWork => ({
  groupId: "g",
  positions: [
    { topic: "a", partition: 0, offset: "5" },
    { topic: "b", partition: 1, offset: "8" },
  ],
  records: [
    { topic: "a", partition: 0, value: Buffer.from("x"), headers: {} },
    { topic: "b", partition: 1, value: Buffer.from("y"), headers: {} },
  ],
  ...extra,
});

test("offsets, then the records by topic, then commit", async () => {
  const t = fakeTransaction();
  expect(await transact(t.begin, work())).toBeUndefined();
  expect(t.calls).toEqual(["sendOffsets", "sendBatch", "commit"]);
  expect(t.offsets).toEqual(["g:a/0@5", "g:b/1@8"]);
  expect(t.records).toEqual(["a/0:x", "b/1:y"]);
});

test("offsets alone (start positions) produce nothing", async () => {
  const t = fakeTransaction();
  expect(await transact(t.begin, work({ records: [] }))).toBeUndefined();
  expect(t.calls).toEqual(["sendOffsets", "commit"]);
});

test("a commit that fails is aborted and reported, not thrown", async () => {
  const t = fakeTransaction({ commit: () => protocolError("REQUEST_TIMED_OUT", true) });
  const failure = await transact(t.begin, work());
  expect(t.calls).toEqual(["sendOffsets", "sendBatch", "commit", "abort"]);
  expect(seen(failure)).toEqual(["cluster", true, "REQUEST_TIMED_OUT"]);
});

test("a send that fails aborts the transaction: it never commits", async () => {
  const t = fakeTransaction({ sendBatch: () => protocolError("NOT_ENOUGH_REPLICAS", true) });
  expect((await transact(t.begin, work()))?.code).toBe("cluster");
  expect(t.calls.at(-1)).toBe("abort");
  expect(t.calls).not.toContain("commit");
});

test("a fenced producer is reported as fenced, with its own failure rather than the abort's", async () => {
  const fenced = () => protocolError("PRODUCER_FENCED");
  const t = fakeTransaction({ sendOffsets: fenced, abort: fenced });
  const failure = await transact(t.begin, work());
  expect(seen(failure)).toEqual(["fenced", false, "PRODUCER_FENCED"]);
  expect(t.records).toEqual([]);
});

test("CONCURRENT_TRANSACTIONS on the offsets (markers still being written) is retried at once", async () => {
  let refusals = 2;
  const t = fakeTransaction({
    sendOffsets: () => (refusals-- > 0 ? protocolError("CONCURRENT_TRANSACTIONS", true) : undefined),
  });
  expect(await transact(t.begin, work())).toBeUndefined();
  expect(t.calls).toEqual(["sendOffsets", "sendOffsets", "sendOffsets", "sendBatch", "commit"]);
});

test("a committed transaction tells where its time went, refusals counted; a failed one tells nothing", async () => {
  let refusals = 2;
  const t = fakeTransaction({
    sendOffsets: () => (refusals-- > 0 ? protocolError("CONCURRENT_TRANSACTIONS", true) : undefined),
  });
  const splits: TransactionSplit[] = [];
  expect(await transact(t.begin, work({ timed: (split) => splits.push(split) }))).toBeUndefined();
  expect(splits.map((split) => split.concurrentRetries)).toEqual([2]);
  const [split] = splits;
  for (const ms of [split?.offsetsMs, split?.recordsMs, split?.commitMs])
    expect(ms).toBeGreaterThanOrEqual(0);
  const failing = fakeTransaction({ commit: () => protocolError("REQUEST_TIMED_OUT", true) });
  await transact(failing.begin, work({ timed: (split) => splits.push(split) }));
  expect(splits).toHaveLength(1);
});

test("the hook before commit runs with the records produced", async () => {
  const t = fakeTransaction();
  const seen: string[] = [];
  await transact(t.begin, work({ beforeCommit: async () => void seen.push(t.calls.join(",")) }));
  expect(seen).toEqual(["sendOffsets,sendBatch"]);
});

test("a failure inside kafkajs's retry wrappers is still classified; a non-Kafka error is 'other'", async () => {
  const wrapped = () =>
    new KafkaJSNumberOfRetriesExceeded(protocolError("INVALID_PRODUCER_EPOCH"), {
      retryCount: 5,
      retryTime: 300,
    });
  expect((await transact(fakeTransaction({ sendOffsets: wrapped }).begin, work()))?.code).toBe("fenced");
  const refused = () =>
    new KafkaJSNumberOfRetriesExceeded(
      new KafkaJSConnectionError("Connection error: connect ECONNREFUSED 127.0.0.1:9092"),
      { retryCount: 5, retryTime: 300 },
    );
  const down = await transact(fakeTransaction({ commit: refused }).begin, work());
  expect([down?.code, down?.retriable]).toEqual(["unreachable", true]);
  // Text alone decides nothing: a plain error that names a fenced producer is not one.
  const bug = await transact(
    fakeTransaction({ sendBatch: () => new Error("PRODUCER_FENCED") }).begin,
    work(),
  );
  expect(seen(bug)).toEqual(["other", false, "PRODUCER_FENCED"]);
});
