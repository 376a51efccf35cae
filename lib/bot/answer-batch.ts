/**
 * One batch of a room partition, from records to committed answers: the verdicts
 * (read-batch.ts), the hand-over to the slot's transaction pipeline, and what to do with its
 * outcome; batch-report.ts tells about it.
 *
 * The batch does not wait for its transaction: it is marked read at once, so the consumer
 * fetches on (its next fetch waits for every batch of the previous one) and the following
 * batches join the slot's next transaction. Rooms therefore never wait for each other's
 * commits, and a slot's transactions run back to back. What is marked read but not committed
 * is never lost: a failed transaction makes the replica rejoin, and a rebalance drops the
 * queued batches; either way the partitions are moved back to their committed offsets
 * (takeover.ts). Only a slot that falls far behind makes its batch wait, so memory stays bounded.
 */
import type { FetchedBatch } from "../kafka/group.ts";
import type { KafkaFailure } from "../kafka/index.ts";
import { topicToRoom } from "../rooms.ts";
import type { BatchPlace, BatchReport } from "./batch-report.ts";
import type { MovieDb } from "./movies.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { readBatch } from "./read-batch.ts";
import type { TransactionPipeline } from "./transactions.ts";

/** A slot with this many answers not yet committed makes its next batch wait for them. */
const MAX_PENDING_ANSWERS = 2000;

export interface AnswerContext {
  db: MovieDb;
  limiter: RateLimiter;
  report: BatchReport;
  /** A transaction failed: the replica must rejoin the group. */
  fail: (failure: KafkaFailure) => void;
}

/** Hands the batch's answers to `pipeline`; the batch counts as read once they are queued. */
export async function answerBatch(
  batch: FetchedBatch,
  pipeline: TransactionPipeline,
  context: AnswerContext,
): Promise<"read"> {
  const last = batch.records.at(-1);
  if (last === undefined) return "read";
  const { topic, partition } = batch;
  const place: BatchPlace = {
    room: topicToRoom(topic),
    partition,
    lag: Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n)),
  };
  const read = readBatch(topic, partition, batch.records, {
    db: context.db,
    limiter: context.limiter,
    nowMs: Date.now(),
  });
  context.report.read(place, read);
  // Nothing to answer (the bot's own answers coming back, chatter): no transaction. The next
  // answer's transaction commits past these records, and reading them again after a restart
  // produces nothing.
  if (read.answers.length === 0) {
    context.report.done(place, read);
    return "read";
  }
  const committed = pipeline
    .commit(read.answers, { topic, partition, offset: String(BigInt(last.offset) + 1n) })
    .then((outcome) => {
      if (outcome.kind === "committed") return context.report.done(place, read);
      // Given up in a rebalance before its transaction began: the slot's next owner reads it again.
      if (outcome.kind === "given-up") return;
      if (outcome.code === "fenced") context.report.fenced(place, pipeline.slot, read.answers.length);
      context.fail(outcome);
    });
  if (pipeline.pendingAnswers > MAX_PENDING_ANSWERS) await committed;
  return "read";
}
