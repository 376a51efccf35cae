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
import { partitionKey } from "../partition-key.ts";

export interface Answer {
  topic: string;
  partition: number;
  value: Buffer;
  headers: Record<string, string>;
}

/** The next offset to read in a partition once a batch is done. */
export interface Position {
  topic: string;
  partition: number;
  offset: string;
}

/** What the pipeline needs of a kafkajs transactional producer (a seam for fault injection). */
export interface TransactionalProducer {
  transaction(): Promise<Transaction>;
  disconnect(): Promise<void>;
}

export interface Transaction {
  sendOffsets(offsets: {
    consumerGroupId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<void>;
  sendBatch(batch: {
    acks: number;
    topicMessages: {
      topic: string;
      messages: { partition: number; value: Buffer; headers: Record<string, string> }[];
    }[];
  }): Promise<unknown>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface Committed {
  slot: number;
  batches: number;
  answers: number;
  ms: number;
}

export interface PipelineHooks {
  /** Told about every committed transaction. A throw here cannot undo the commit and is ignored. */
  onCommit?: (committed: Committed) => void;
  /** Told about every transaction that failed (aborted, or refused because fenced). */
  onFailure?: (error: unknown) => void;
  /** Runs with the transaction open and its answers produced, just before it commits. */
  beforeCommit?: (open: { slot: number; answers: number }) => Promise<void>;
}

/** A batch dropped before its transaction began, because the slot was given up (a rebalance). */
export class SlotGivenUp extends Error {
  constructor(slot: number) {
    super(`slot ${slot} was given up before this batch's transaction began`);
  }
}

interface Job {
  answers: Answer[];
  positions: Position[];
  done: (error?: unknown) => void;
}

export class TransactionPipeline {
  readonly #queue: Job[] = [];
  #inFlight: Job[] = [];
  #draining: Promise<void> | undefined;
  /** The first failure: every later commit fails with it (see the module comment). */
  #failed: { error: unknown } | undefined;
  #retired = false;

  constructor(
    private readonly producer: TransactionalProducer,
    private readonly groupId: string,
    readonly slot: number,
    private readonly hooks: PipelineHooks = {},
  ) {}

  /** Resolves once `answers` and `position` are committed together. */
  commit(answers: Answer[], position: Position): Promise<void> {
    return this.#enqueue(answers, [position]);
  }

  /** Commits where partitions start, in a transaction of their own (no answers). */
  storePositions(positions: Position[]): Promise<void> {
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
    for (const job of this.#queue.splice(0)) job.done(new SlotGivenUp(this.slot));
    await this.#draining;
    await this.producer.disconnect().catch(() => {});
  }

  #enqueue(answers: Answer[], positions: Position[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: unknown) => (error ? reject(error) : resolve());
      if (this.#retired) return done(new SlotGivenUp(this.slot));
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
    // kafkajs hands the batches of one fetch to its workers within the same turn of the event
    // loop; waiting for the next turn lets them all join the first transaction.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const jobs = this.#queue.splice(0);
      this.#inFlight = jobs;
      const started = performance.now();
      const outcome = await this.#transact(jobs).then(
        () => undefined,
        (error: unknown) => ({ error }),
      );
      this.#inFlight = [];
      this.#failed ??= outcome;
      for (const job of jobs) job.done(outcome?.error);
      if (outcome === undefined) this.#report(jobs, performance.now() - started);
      else this.hooks.onFailure?.(outcome.error);
    }
  }

  #report(jobs: Job[], ms: number): void {
    const answers = jobs.reduce((sum, job) => sum + job.answers.length, 0);
    try {
      this.hooks.onCommit?.({ slot: this.slot, batches: jobs.length, answers, ms });
    } catch {
      // The transaction is committed whatever its report does: redoing it would answer twice.
    }
  }

  async #transact(jobs: Job[]): Promise<void> {
    if (this.#failed !== undefined) throw this.#failed.error;
    const transaction = await this.producer.transaction();
    try {
      // Offsets first: the coordinator may still be writing the previous transaction's markers
      // and answer CONCURRENT_TRANSACTIONS for a few ms. kafkajs does not retry AddOffsetsToTxn
      // at all and retries AddPartitionsToTxn only after 300 ms, so the bot retries the offsets
      // quickly itself; once they are in, the transaction is open and the answers go straight in.
      await untilNotConcurrent(() =>
        transaction.sendOffsets({ consumerGroupId: this.groupId, topics: offsetsOf(jobs) }),
      );
      const answers = jobs.flatMap((job) => job.answers);
      if (answers.length > 0) {
        const byTopic = new Map<string, Answer[]>();
        for (const answer of answers)
          byTopic.set(answer.topic, [...(byTopic.get(answer.topic) ?? []), answer]);
        await transaction.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, list]) => ({
            topic,
            messages: list.map(({ partition, value, headers }) => ({ partition, value, headers })),
          })),
        });
        await this.hooks.beforeCommit?.({ slot: this.slot, answers: answers.length });
      }
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => {});
      throw error;
    }
  }
}

/**
 * Pauses between refusals: steady and short, since a slot's transactions run back to back and
 * the previous one's markers take a few ms to write (longer on a busy broker); doubling pauses
 * would overshoot by hundreds of ms. About 3 s in all.
 */
const CONCURRENT_RETRY_MS = [1, 2, 2, 3, ...Array<number>(600).fill(5)];

const FENCED = ["PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH"];

/** Whether kafkajs's error, or one it wraps, carries one of the protocol error `types`. */
export function hasErrorType(error: unknown, types: string[]): boolean {
  let current = error as { type?: string; originalError?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current.type !== undefined && types.includes(current.type)) return true;
    current = (current.originalError ?? current.cause) as typeof current;
  }
  return false;
}

/** The slot's transactional id was initialised by its new owner: this producer may not commit. */
export function isFenced(error: unknown): boolean {
  return hasErrorType(error, FENCED);
}

/** Runs `request`, again after a short pause while the coordinator reports CONCURRENT_TRANSACTIONS. */
async function untilNotConcurrent<T>(request: () => Promise<T>): Promise<T> {
  for (const pause of CONCURRENT_RETRY_MS) {
    try {
      return await request();
    } catch (error) {
      if (!hasErrorType(error, ["CONCURRENT_TRANSACTIONS"])) throw error;
      await Bun.sleep(pause);
    }
  }
  return request();
}

/** The furthest position per partition; a partition's batches arrive in order. */
function offsetsOf(jobs: Job[]) {
  const latest = new Map<string, Position>();
  for (const position of jobs.flatMap((job) => job.positions)) {
    const key = partitionKey(position.topic, position.partition);
    const known = latest.get(key);
    if (known === undefined || BigInt(position.offset) > BigInt(known.offset)) latest.set(key, position);
  }
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of latest.values()) {
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset }]);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
