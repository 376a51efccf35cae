/**
 * A transactional producer for one transactional id: consumer-group offsets and records written
 * in one Kafka transaction, committed together or not at all. The bot's exactly-once answers
 * (lib/bot/transactions.ts) are built on it.
 *
 * Opening the producer initialises its transactional id, which fences every earlier producer of
 * that id: the coordinator aborts (or finishes committing) what that one left open and refuses
 * its later requests. A failed transaction is aborted and reported as a KafkaFailure value: code
 * "fenced" when another producer owns the id now; retriable or not (the outcome of a commit
 * that timed out may be unknown).
 */
import { guarded, type KafkaClient, kafkajsOf } from "./client.ts";
import { failureOf, KafkaFailure } from "./failure.ts";

/** A record to write inside a transaction. */
export interface Outgoing {
  topic: string;
  partition: number;
  value: Buffer;
  headers: Record<string, string>;
}

/** The next offset a consumer group reads in a partition. */
export interface Position {
  topic: string;
  partition: number;
  offset: string;
}

export interface TransactionWork {
  groupId: string;
  positions: Position[];
  records: Outgoing[];
  /** Runs with the transaction open and its records produced, just before it commits. */
  beforeCommit?: () => Promise<void>;
  /** Told where a committed transaction's time went. */
  timed?: (split: TransactionSplit) => void;
}

/** Where a committed transaction's time went (ms, to 0.1): the split `bench/bot` prints. */
export interface TransactionSplit {
  /** Until the offsets were in: the previous transaction's markers waited out, AddOffsets, TxnOffsetCommit. */
  offsetsMs: number;
  /** AddPartitions and Produce (0 without records). */
  recordsMs: number;
  /** The hook and EndTxn. */
  commitMs: number;
  /** CONCURRENT_TRANSACTIONS refusals while the previous transaction's markers were written. */
  concurrentRetries: number;
}

/** One transactional id's producer. */
export interface TransactionalWriter {
  /** Undefined once `work` is committed; a failure once the transaction is aborted. */
  commit(work: TransactionWork): Promise<KafkaFailure | undefined>;
  disconnect(): Promise<void>;
}

/** The steps of one kafkajs transaction the writer uses (a seam for fault injection). */
export interface TransactionSteps {
  sendOffsets(offsets: {
    consumerGroupId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<void>;
  sendBatch(batch: {
    acks: number;
    topicMessages: { topic: string; messages: Omit<Outgoing, "topic">[] }[];
  }): Promise<unknown>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Initialises `transactionalId`'s producer (fencing its earlier ones). */
export async function openTransactional(
  client: KafkaClient,
  transactionalId: string,
): Promise<TransactionalWriter | KafkaFailure> {
  const producer = kafkajsOf(client).producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Bounded, unlike kafkajs's default for idempotent producers (retry forever): a send that
    // keeps failing aborts the transaction, and its user decides what to do next.
    retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 2000 },
  });
  try {
    await guarded(client, () => producer.connect());
  } catch (error) {
    await producer.disconnect().catch(() => {});
    return failureFrom(error);
  }
  return {
    commit: (work) => transact(() => producer.transaction(), work),
    disconnect: () => producer.disconnect().catch(() => {}),
  };
}

/** One transaction over `begin`'s steps: offsets, records, the hook, commit; aborted on any failure. */
export async function transact(
  begin: () => Promise<TransactionSteps>,
  work: TransactionWork,
): Promise<KafkaFailure | undefined> {
  let transaction: TransactionSteps;
  try {
    transaction = await begin();
  } catch (error) {
    return failureFrom(error);
  }
  const began = performance.now();
  const refused = { count: 0 };
  try {
    // Offsets first: the coordinator may still be writing the previous transaction's markers
    // and answer CONCURRENT_TRANSACTIONS for a few ms. kafkajs does not retry AddOffsetsToTxn
    // at all and retries AddPartitionsToTxn only after 300 ms, so this retries the offsets
    // quickly itself; once they are in, the transaction is open and the records go straight in.
    await untilNotConcurrent(
      () => transaction.sendOffsets({ consumerGroupId: work.groupId, topics: byTopic(work.positions) }),
      refused,
    );
    const offsetsIn = performance.now();
    let recordsIn = offsetsIn;
    if (work.records.length > 0) {
      await transaction.sendBatch({
        acks: -1,
        topicMessages: byTopic(work.records).map(({ topic, partitions }) => ({
          topic,
          messages: partitions,
        })),
      });
      recordsIn = performance.now();
      await work.beforeCommit?.();
    }
    await transaction.commit();
    work.timed?.({
      offsetsMs: tenths(offsetsIn - began),
      recordsMs: tenths(recordsIn - offsetsIn),
      commitMs: tenths(performance.now() - recordsIn),
      concurrentRetries: refused.count,
    });
    return undefined;
  } catch (error) {
    await transaction.abort().catch(() => {});
    return failureFrom(error);
  }
}

const tenths = (ms: number): number => Math.round(ms * 10) / 10;

function byTopic<T extends { topic: string }>(
  items: T[],
): { topic: string; partitions: Omit<T, "topic">[] }[] {
  const topics = new Map<string, Omit<T, "topic">[]>();
  for (const { topic, ...rest } of items) {
    const list = topics.get(topic) ?? [];
    list.push(rest);
    topics.set(topic, list);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

/**
 * Pauses between refusals: steady and short, since one id's transactions run back to back and
 * the previous one's markers take a few ms to write (longer on a busy broker); doubling pauses
 * would overshoot by hundreds of ms. About 3 s in all.
 */
const CONCURRENT_RETRY_MS = [1, 2, 2, 3, ...Array<number>(600).fill(5)];

/**
 * Runs `request`, again after a short pause while the coordinator reports
 * CONCURRENT_TRANSACTIONS; counts the refusals in `refused`.
 */
async function untilNotConcurrent<T>(request: () => Promise<T>, refused: { count: number }): Promise<T> {
  for (const pause of CONCURRENT_RETRY_MS) {
    try {
      return await request();
    } catch (error) {
      if (failureOf(error)?.code !== "concurrent-transactions") throw error;
      refused.count++;
      await Bun.sleep(pause);
    }
  }
  return request();
}

/**
 * What a failed transaction reports. Anything but a Kafka failure is a bug of ours, yet the
 * transaction is just as failed (and aborted): the pipeline gives its slot up either way.
 */
function failureFrom(error: unknown): KafkaFailure {
  return (
    failureOf(error) ??
    new KafkaFailure("other", false, error instanceof Error ? error.message : String(error))
  );
}
