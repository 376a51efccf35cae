/**
 * Exactly-once output: answers and the consumer offsets of the questions they answer are
 * committed in one Kafka transaction, so after any crash either both are visible (to
 * read_committed readers) or neither is, and the questions are read again.
 *
 * Batches of several partitions, handed in concurrently, are coalesced into one transaction:
 * a transactional producer has one open transaction at a time, and a round of AddPartitions,
 * Produce, AddOffsets, TxnOffsetCommit and EndTxn per partition would cap throughput.
 * After a failure the producer is replaced; the new one's InitProducerId aborts whatever the
 * old one left open.
 */
import type { Producer } from "../kafka.ts";

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

interface Job {
  answers: Answer[];
  position: Position;
  done: (error?: unknown) => void;
}

interface Barrier {
  task: (committedHere: ReadonlySet<string>) => Promise<void>;
  done: (error?: unknown) => void;
}

export const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class TransactionPipeline {
  readonly #queue: (Job | Barrier)[] = [];
  readonly #committed = new Set<string>();
  #producer: Producer | undefined;
  #draining: Promise<void> | undefined;
  #fenced: unknown;

  constructor(
    private readonly newProducer: () => Promise<Producer>,
    private readonly groupId: string,
    /** Told about every committed transaction: how many batches and answers, how long it took. */
    private readonly onCommit: (batches: number, answers: number, ms: number) => void = () => {},
  ) {}

  /** Resolves once `answers` and `position` are committed together. */
  commit(answers: Answer[], position: Position): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ answers, position, done: (error) => (error ? reject(error) : resolve()) });
      this.#drain();
    });
  }

  /**
   * Runs `task` with no transaction open, given the partitions this process has already
   * committed, e.g. to store a starting position without overwriting a newer one.
   */
  exclusive(task: (committedHere: ReadonlySet<string>) => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, done: (error) => (error ? reject(error) : resolve()) });
      this.#drain();
    });
  }

  /**
   * Makes sure a producer is initialised. Its InitProducerId returns only once the coordinator
   * has finished whatever transaction a previous producer with this id left behind (committed
   * it if the commit had reached the coordinator, aborted it otherwise), so offsets read from
   * the group afterwards are final.
   */
  ready(): Promise<void> {
    return this.exclusive(async () => {
      if (this.#fenced !== undefined) throw this.#fenced;
      this.#producer ??= await this.newProducer();
    });
  }

  /** Waits for queued work, then disconnects the producer. */
  async close(): Promise<void> {
    await this.#draining;
    await this.#producer?.disconnect().catch(() => {});
    this.#producer = undefined;
  }

  #drain(): void {
    this.#draining ??= this.#loop().finally(() => {
      this.#draining = undefined;
      if (this.#queue.length > 0) this.#drain();
    });
  }

  async #loop(): Promise<void> {
    // kafkajs hands the batches of one fetch to its workers within the same turn of the event
    // loop; waiting for the next turn lets them all join the first transaction.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      if (head !== undefined && "task" in head) {
        this.#queue.shift();
        await head.task(this.#committed).then(
          () => head.done(),
          (error: unknown) => head.done(error),
        );
        continue;
      }
      const end = this.#queue.findIndex((item) => "task" in item);
      const jobs = this.#queue.splice(0, end === -1 ? this.#queue.length : end) as Job[];
      try {
        const started = performance.now();
        await this.#transact(jobs);
        this.onCommit(
          jobs.length,
          jobs.reduce((sum, job) => sum + job.answers.length, 0),
          performance.now() - started,
        );
        for (const job of jobs) this.#committed.add(partitionKey(job.position.topic, job.position.partition));
        for (const job of jobs) job.done();
      } catch (error) {
        await this.#discardProducer();
        // A fenced producer means another process owns this transactional id now: making a
        // new producer would fence that one in turn, so every later commit fails the same way.
        if (hasErrorType(error, FENCED)) this.#fenced = error;
        for (const job of jobs) job.done(error);
      }
    }
  }

  async #transact(jobs: Job[]): Promise<void> {
    if (this.#fenced !== undefined) throw this.#fenced;
    this.#producer ??= await this.newProducer();
    const transaction = await this.#producer.transaction();
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
      }
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => {});
      throw error;
    }
  }

  async #discardProducer(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    await producer?.disconnect().catch(() => {});
  }
}

const CONCURRENT_RETRY_MS = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1000];

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
  for (const { position } of jobs) {
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
