/**
 * Exactly-once output for one assignment slot (slots.ts) during one generation of the group:
 * answers and the consumer offsets of the questions they answer are committed in one Kafka
 * transaction, so after any crash either both are visible (to read_committed readers) or
 * neither is, and the questions are read again.
 *
 * Batches of the slot's partitions, handed in concurrently, are coalesced into one transaction:
 * a transactional producer has one open transaction at a time, and a round of AddOffsets,
 * TxnOffsetCommit, AddPartitions, Produce and EndTxn per batch would cap throughput. Other
 * slots have their own pipelines, so rooms in different slots never wait for each other.
 *
 * A pipeline never replaces its producer: after a failed transaction (its outcome may be
 * unknown, or the slot was taken over and this producer fenced) every later commit fails too,
 * and the bot rejoins the group, where whoever owns the slot then starts a new producer.
 */
import type { KafkaFailure } from "../kafka/index.ts";
import type { Outgoing, Position, TransactionalWriter, TransactionSplit } from "../kafka/transaction.ts";
import { partitionKey } from "../partition-key.ts";

export type Answer = Outgoing;
export type { Position };

/** What became of a batch handed to the pipeline. */
export type Outcome =
  | { kind: "committed" }
  /** Dropped before its transaction began, because the slot was given up (a rebalance). */
  | { kind: "given-up" }
  | KafkaFailure;

const COMMITTED: Outcome = { kind: "committed" };
const GIVEN_UP: Outcome = { kind: "given-up" };

export interface Committed {
  slot: number;
  batches: number;
  answers: number;
  ms: number;
  /** Where the transaction's time went. */
  split: TransactionSplit | undefined;
}

export interface PipelineHooks {
  /** Told about every committed transaction. A throw here cannot undo the commit and is ignored. */
  onCommit?: (committed: Committed) => void;
  /** Told about every transaction that failed (aborted, or refused because fenced). */
  onFailure?: (failure: KafkaFailure) => void;
  /** Runs with the transaction open and its answers produced, just before it commits. */
  beforeCommit?: (open: { slot: number; answers: number }) => Promise<void>;
}

interface Job {
  answers: Answer[];
  positions: Position[];
  done: (outcome: Outcome) => void;
}

export class TransactionPipeline {
  readonly #queue: Job[] = [];
  #inFlight: Job[] = [];
  #draining: Promise<void> | undefined;
  /** The first failure: every later commit fails with it (see the module comment). */
  #failed: KafkaFailure | undefined;
  #retired = false;

  constructor(
    private readonly writer: TransactionalWriter,
    private readonly groupId: string,
    readonly slot: number,
    private readonly hooks: PipelineHooks = {},
  ) {}

  /** Resolves once `answers` and `position` are committed together, or with why not. */
  commit(answers: Answer[], position: Position): Promise<Outcome> {
    return this.#enqueue(answers, [position]);
  }

  /** Commits where partitions start, in a transaction of their own (no answers). */
  storePositions(positions: Position[]): Promise<Outcome> {
    return this.#enqueue([], positions);
  }

  /** Answers queued or inside a transaction that has not committed yet. */
  get pendingAnswers(): number {
    return [...this.#inFlight, ...this.#queue].reduce((sum, job) => sum + job.answers.length, 0);
  }

  /** Resolves once every commit handed in so far has committed or failed. */
  async settled(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  /**
   * The slot is no longer ours: batches whose transaction has not begun are dropped (the
   * next owner reads them again), the one in flight finishes, the producer disconnects.
   */
  async retire(): Promise<void> {
    this.#retired = true;
    for (const job of this.#queue.splice(0)) job.done(GIVEN_UP);
    await this.#draining;
    await this.writer.disconnect();
  }

  #enqueue(answers: Answer[], positions: Position[]): Promise<Outcome> {
    return new Promise((done) => {
      if (this.#retired) return done(GIVEN_UP);
      this.#queue.push({ answers, positions, done });
      this.#drain();
    });
  }

  #drain(): void {
    this.#draining ??= this.#loop().finally(() => {
      this.#draining = undefined;
      // Queued after the loop's last look at the queue, before this callback ran.
      if (this.#queue.length > 0) this.#drain();
    });
  }

  async #loop(): Promise<void> {
    // The consumer hands the batches of one fetch over within the same turn of the event loop;
    // waiting for the next turn lets them all join the first transaction.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const jobs = this.#queue.splice(0);
      this.#inFlight = jobs;
      const started = performance.now();
      let split: TransactionSplit | undefined;
      const failure =
        this.#failed ??
        (await this.#transact(jobs, (timed) => {
          split = timed;
        }));
      this.#inFlight = [];
      this.#failed ??= failure;
      for (const job of jobs) job.done(failure ?? COMMITTED);
      if (failure === undefined) this.#report(jobs, performance.now() - started, split);
      else this.hooks.onFailure?.(failure);
    }
  }

  #report(jobs: Job[], ms: number, split: TransactionSplit | undefined): void {
    const answers = jobs.reduce((sum, job) => sum + job.answers.length, 0);
    try {
      this.hooks.onCommit?.({ slot: this.slot, batches: jobs.length, answers, ms, split });
    } catch {
      // The transaction is committed whatever its report does: redoing it would answer twice.
    }
  }

  #transact(jobs: Job[], timed: (split: TransactionSplit) => void): Promise<KafkaFailure | undefined> {
    const answers = jobs.flatMap((job) => job.answers);
    const { beforeCommit } = this.hooks;
    return this.writer.commit({
      groupId: this.groupId,
      positions: furthest(jobs.flatMap((job) => job.positions)),
      records: answers,
      beforeCommit: beforeCommit && (() => beforeCommit({ slot: this.slot, answers: answers.length })),
      timed,
    });
  }
}

/** The furthest position per partition; a partition's batches arrive in order. */
function furthest(positions: Position[]): Position[] {
  const latest = new Map<string, Position>();
  for (const position of positions) {
    const key = partitionKey(position.topic, position.partition);
    const known = latest.get(key);
    if (known === undefined || BigInt(position.offset) > BigInt(known.offset)) latest.set(key, position);
  }
  return [...latest.values()];
}
