/**
 * What the bot tells about a batch, apart from what it does with it (answer-batch.ts): the
 * log lines of malformed and rate-limited questions, the answers once committed, the fenced
 * transaction, and the metrics and totals that go with them.
 */
import type { Logger } from "./log.ts";
import type { BotMetrics, RecordOutcome } from "./metrics.ts";
import type { ReadBatch } from "./read-batch.ts";

export interface Totals {
  answered: number;
  malformed: number;
  rateLimited: number;
}

/** Where a batch came from: its room, its partition, and how far behind the end its last record was. */
export interface BatchPlace {
  room: string;
  partition: number;
  lag: number;
}

export class BatchReport {
  readonly totals: Totals = { answered: 0, malformed: 0, rateLimited: 0 };

  constructor(
    private readonly log: Logger,
    private readonly metrics: BotMetrics,
  ) {}

  /** As soon as the batch is read: the questions that get no answer and why. */
  read({ room, partition }: BatchPlace, read: ReadBatch): void {
    for (const { offset, problem, detail } of read.malformed) {
      this.totals.malformed++;
      this.log("warn", "malformed", {
        room,
        partition,
        offset,
        problem,
        detail,
        malformedTotal: this.totals.malformed,
      });
    }
    for (const { offset, sender } of read.limited) {
      this.totals.rateLimited++;
      this.log("info", "rate-limited", { room, sender, offset });
    }
  }

  /** Once the batch's answers are committed (or it had none): counts, lag and one line per answer. */
  done({ room, partition, lag }: BatchPlace, read: ReadBatch): void {
    for (const [outcome, count] of Object.entries(read.outcomes))
      this.metrics.records[outcome as RecordOutcome] += count;
    this.metrics.setLag(room, partition, lag);
    const now = Date.now();
    this.totals.answered += read.asked.length;
    for (const answer of read.asked) {
      this.metrics.observeLatency((now - answer.timestampMs) / 1000);
      this.log("info", "answer", {
        room,
        partition,
        offset: answer.offset,
        sender: answer.sender,
        latencyMs: now - answer.timestampMs,
        reply: answer.text,
      });
    }
  }

  /** The slot's new owner fenced this replica's transaction: its answers are not committed. */
  fenced({ room, partition }: BatchPlace, slot: number, answers: number): void {
    this.log("warn", "fenced", {
      slot,
      room,
      partition,
      uncommittedAnswers: answers,
      action: "another replica owns this slot now; these answers are discarded, rejoining the group",
    });
  }
}
