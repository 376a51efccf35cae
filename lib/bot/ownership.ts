/**
 * The slots this replica owns during one membership, and the hand-over between assignments:
 * each new assignment retires the previous one's pipelines (their queued batches are dropped,
 * the transaction in flight finishes), then takes the new slots over (takeover.ts) and only
 * then lets the member fetch them. Assignments can follow each other faster than a takeover
 * runs; a takeover that is no longer the latest gives up.
 */
import type { Assignment, GroupMember } from "../kafka/group.ts";
import type { GroupAdmin } from "../kafka/group-admin.ts";
import { isKafkaFailure, type KafkaFailure } from "../kafka/index.ts";
import type { TransactionalWriter } from "../kafka/transaction.ts";
import { topicToRoom } from "../rooms.ts";
import { errorText, type Logger } from "./log.ts";
import type { BotMetrics } from "./metrics.ts";
import { slotOf, transactionalId } from "./slots.ts";
import { type Taken, takeOver } from "./takeover.ts";
import { TransactionPipeline } from "./transactions.ts";

export interface OwnershipConfig {
  groupId: string;
  log: Logger;
  metrics: BotMetrics;
  /** Initialises a producer of `transactionalId`, which fences every earlier one. */
  openWriter: (transactionalId: string) => Promise<TransactionalWriter | KafkaFailure>;
  /** Test-only: hold the `nth` transaction that carries answers open for `ms` before it commits. */
  holdTransaction?: { nth: number; ms: number } | undefined;
}

/** What an assignment's takeover needs of the membership it arrived in. */
export interface AssignmentContext {
  member: GroupMember;
  admin: Pick<GroupAdmin, "committed" | "ends">;
  /** Whether a room without a committed offset is read from its beginning (else from its end). */
  fromStart: (topic: string) => boolean;
  /** The takeover failed (logged): the replica must rejoin. */
  fail: (error: unknown) => void;
}

export class SlotOwnership {
  /** Counts assignments; a takeover that is no longer the latest gives up. */
  #generation = 0;
  #owned: Taken | undefined;
  /** Pipelines of a takeover still in progress, so a stop or the next assignment can retire them. */
  #opening = new Map<number, TransactionPipeline>();
  #takeover: Promise<void> = Promise.resolve();
  /** Transactions with answers so far (for `holdTransaction`). */
  #answering = 0;
  #takeovers = 0;

  constructor(private readonly config: OwnershipConfig) {}

  /** Assignments taken over so far: a membership that took one over was serving. */
  get takeovers(): number {
    return this.#takeovers;
  }

  /** The pipeline of the slot a partition belongs to, while this replica owns it. */
  pipelineFor(topic: string, partition: number): TransactionPipeline | undefined {
    return this.#owned?.pipelines.get(slotOf(topic, partition));
  }

  pendingAnswers(): number {
    const pipelines = new Set([...(this.#owned?.pipelines.values() ?? []), ...this.#opening.values()]);
    return [...pipelines].reduce((sum, pipeline) => sum + pipeline.pendingAnswers, 0);
  }

  /** The group's new assignment (all of it paused): take it over after the previous one is retired. */
  assigned(assignment: Assignment, context: AssignmentContext): void {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation;
    const { log, metrics } = this.config;
    metrics.heardAt = Date.now();
    const failed = (error: unknown) => {
      log("error", "takeover-failed", { error: errorText(error) });
      context.fail(error);
    };
    this.#takeover = this.#takeover
      .then(async () => {
        await this.#giveUp();
        if (!current()) return;
        const seams = {
          admin: context.admin,
          groupId: this.config.groupId,
          fromStart: context.fromStart,
          openPipeline: (slot: number) => this.#openPipeline(slot),
          current,
        };
        const taken = await takeOver(assignment, seams, this.#opening);
        if (isKafkaFailure(taken)) return failed(taken);
        if (taken === undefined) return;
        this.#owned = taken;
        this.#opening = new Map();
        this.#takeovers++;
        metrics.assigned(Object.keys(assignment).length, taken.positions.length, taken.pipelines.size);
        metrics.holding = true;
        context.member.startAt(taken.positions);
        log("info", "assigned", {
          rooms: Object.keys(assignment).map(topicToRoom),
          partitions: taken.positions.length,
          slots: [...taken.pipelines.keys()].sort((a, b) => a - b),
          startPositionsStored: taken.stored,
        });
      })
      .catch(failed);
  }

  /** Resolves once every batch handed to an owned slot has committed or failed. */
  async settled(): Promise<void> {
    await Promise.all([...(this.#owned?.pipelines.values() ?? [])].map((pipeline) => pipeline.settled()));
  }

  /** The membership is over: what is queued commits, a takeover still running ends, every slot is retired. */
  async release(): Promise<void> {
    this.#generation++;
    await this.#takeover;
    await this.settled();
    await this.#giveUp();
  }

  /** Retires the pipelines of the previous assignment (and of a takeover cut short). */
  async #giveUp(): Promise<void> {
    const pipelines = [...(this.#owned?.pipelines.values() ?? []), ...this.#opening.values()];
    this.#owned = undefined;
    this.config.metrics.holding = false;
    this.#opening = new Map();
    await Promise.all(pipelines.map((pipeline) => pipeline.retire()));
  }

  async #openPipeline(slot: number): Promise<TransactionPipeline | KafkaFailure> {
    const { groupId, log, holdTransaction, metrics } = this.config;
    const writer = await this.config.openWriter(transactionalId(groupId, slot));
    if (isKafkaFailure(writer)) return writer;
    return new TransactionPipeline(writer, groupId, slot, {
      onCommit: ({ slot, batches, answers, ms, split }) => {
        metrics.transactions.committed++;
        log("debug", "transaction", { slot, batches, answers, ms: Math.round(ms), ...split });
      },
      onFailure: () => {
        metrics.transactions.failed++;
      },
      beforeCommit: async ({ slot, answers }) => {
        if (holdTransaction === undefined || ++this.#answering !== holdTransaction.nth) return;
        log("info", "transaction-held", { slot, answers, holdMs: holdTransaction.ms });
        await Bun.sleep(holdTransaction.ms);
      },
    });
  }
}
