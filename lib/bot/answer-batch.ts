/**
 * One batch of a room partition, from records to committed answers: the verdicts (read-batch.ts),
 * their log lines and metrics, and the hand-over to the slot's transaction pipeline.
 *
 * The batch does not wait for its transaction: its offsets are marked read at once, so kafkajs
 * fetches on (its next fetch waits for every batch of the previous one) and the following
 * batches join the slot's next transaction. Rooms therefore never wait for each other's
 * commits, and a slot's transactions run back to back. What is marked read but not committed
 * is never lost: a failed transaction makes the replica rejoin, and a rebalance drops the
 * queued batches; either way the partitions are moved back to their committed offsets
 * (takeover.ts). Only a slot that falls far behind makes its batch wait, so memory stays bounded.
 */
import type { EachBatchPayload } from "../kafka/index.ts";
import { topicToRoom } from "../rooms.ts";
import type { Logger } from "./log.ts";
import type { BotMetrics, RecordOutcome } from "./metrics.ts";
import type { MovieDb } from "./movies.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { type ReadBatch, readBatch } from "./read-batch.ts";
import { slotOf } from "./slots.ts";
import { isFenced, SlotGivenUp, type TransactionPipeline } from "./transactions.ts";

/** A slot with this many answers not yet committed makes its next batch wait for them. */
const MAX_PENDING_ANSWERS = 2000;

export interface Totals {
  answered: number;
  malformed: number;
  rateLimited: number;
}

export interface AnswerContext {
  db: MovieDb;
  limiter: RateLimiter;
  log: Logger;
  metrics: BotMetrics;
  totals: Totals;
  /** A transaction failed: the replica must rejoin the group. */
  fail: (error: unknown) => void;
}

export async function answerBatch(
  { batch, resolveOffset }: Pick<EachBatchPayload, "batch" | "resolveOffset">,
  pipeline: TransactionPipeline,
  context: AnswerContext,
): Promise<void> {
  const last = batch.messages.at(-1);
  if (last === undefined) return;
  const { topic, partition } = batch;
  const room = topicToRoom(topic);
  const { log, metrics, totals } = context;
  const read = readBatch(topic, partition, batch.messages, {
    db: context.db,
    limiter: context.limiter,
    nowMs: Date.now(),
  });
  for (const { offset, problem, detail } of read.malformed) {
    totals.malformed++;
    log("warn", "malformed", { room, partition, offset, problem, detail, malformedTotal: totals.malformed });
  }
  for (const { offset, sender } of read.limited) {
    totals.rateLimited++;
    log("info", "rate-limited", { room, sender, offset });
  }
  const done = () => {
    for (const [outcome, count] of Object.entries(read.outcomes))
      metrics.records[outcome as RecordOutcome] += count;
    metrics.setLag(
      room,
      partition,
      Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n)),
    );
    logAnswers(room, partition, read, context);
  };
  // Nothing to answer (the bot's own answers coming back, chatter): no transaction. The next
  // answer's transaction commits past these records, and reading them again after a restart
  // produces nothing.
  if (read.answers.length === 0) {
    resolveOffset(last.offset);
    done();
    return;
  }
  const committed = pipeline
    .commit(read.answers, { topic, partition, offset: String(BigInt(last.offset) + 1n) })
    .then(done, (error: unknown) => {
      // Given up in a rebalance before its transaction began: the slot's next owner reads it again.
      if (error instanceof SlotGivenUp) return;
      if (isFenced(error)) {
        log("warn", "fenced", {
          slot: slotOf(topic, partition),
          room,
          partition,
          uncommittedAnswers: read.answers.length,
          action: "another replica owns this slot now; these answers are discarded, rejoining the group",
        });
      }
      context.fail(error);
    });
  if (pipeline.pendingAnswers > MAX_PENDING_ANSWERS) await committed;
  resolveOffset(last.offset);
}

function logAnswers(room: string, partition: number, read: ReadBatch, context: AnswerContext): void {
  const now = Date.now();
  context.totals.answered += read.asked.length;
  for (const answer of read.asked) {
    context.metrics.observeLatency((now - answer.timestampMs) / 1000);
    context.log("info", "answer", {
      room,
      partition,
      offset: answer.offset,
      sender: answer.sender,
      latencyMs: now - answer.timestampMs,
      reply: answer.text,
    });
  }
}
