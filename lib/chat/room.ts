/**
 * The chat's Kafka edge: one room = one topic. Every client must see every record of the room,
 * so clients never share a consumer group. kafkajs needs a group id to consume at all, so each
 * client uses its own (`dchat-chat-<uuid>`), commits no offsets (the position is always "the last
 * N records, then live"), and deletes the group when it leaves. Even a client killed with
 * SIGKILL leaves only an empty group without offsets, which the broker's group expiry removes.
 *
 * On join it reads the last `history` records of each partition (seek to max(low, high-N)),
 * then follows live. Records carry a `live` flag so a mention in history does not ring.
 *
 * Without committed offsets, kafkajs starts a group it (re)joins at the log end: after a
 * rebalance or a consumer restart (a broker failure causes both) the records written meanwhile
 * would never be shown. So the client keeps its own position per partition and seeks there on
 * every group join, and drops records below it (a batch in flight during the rejoin).
 */
import { randomUUID } from "node:crypto";
import {
  type Admin,
  type Consumer,
  connectProducer,
  deliveryRetry,
  ensureTopic,
  type Kafka,
  outlastFailover,
  type Producer,
} from "../kafka/index.ts";
import { type ChatRecord, type Decoded, decode, encode } from "../wire.ts";
import type { Connection } from "./state.ts";

export interface RoomHandlers {
  records(records: Decoded[], live: boolean): void;
  connection(state: Connection, reason?: string): void;
}

export interface RoomLink {
  /** Resolves once the broker acknowledged the record; rejects when it could not be delivered. */
  send(record: ChatRecord): Promise<void>;
  /** Resolves once the history records (those before the join) have been handed to `records`. */
  historyLoaded: Promise<void>;
  /** Stops consuming, deletes this client's consumer group, disconnects. Never rejects. */
  close(): Promise<void>;
  groupId: string;
}

/** A send unacknowledged this long means trouble (a healthy cluster answers in milliseconds). */
const SLOW_SEND_MS = 2000;

function describe(error: unknown): string {
  const message = (error as { message?: string })?.message ?? String(error);
  return message.split("\n")[0] ?? "unknown error";
}

/**
 * `user` keys every record this client writes, its join notice and leave record included, so in a
 * room of several partitions they all land in one partition and are read in the order written.
 */
export async function joinRoom(
  kafka: Kafka,
  topic: string,
  user: string,
  history: number,
  handlers: RoomHandlers,
): Promise<RoomLink> {
  await ensureTopic(kafka, topic);
  const groupId = `dchat-chat-${randomUUID()}`;
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
    retry: deliveryRetry,
  });
  const consumer: Consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    // Small fetches: a backlog arrives as many short batches, so decoding one never holds up
    // the keyboard for long (a 1 MiB fetch is ~10,000 records decoded in one go).
    maxBytesPerPartition: 128 * 1024,
    maxBytes: 512 * 1024,
    // Leaving waits for the fetch in flight: kafkajs's 5 s long poll made `close` take up to
    // 5 s, past the leave bound, so the group was not deleted. 500 ms is kafka-python's default,
    // the original client's idle fetch rate.
    maxWaitTimeInMs: 500,
    // A chat client keeps trying: the status line says it is reconnecting.
    retry: {
      retries: Number.MAX_SAFE_INTEGER,
      initialRetryTime: 300,
      maxRetryTime: 5000,
      restartOnFailure: async () => true,
    },
  });
  await admin.connect();
  await connectProducer(producer);
  // The partitions' leaders answer this: retried (with fresh metadata) while one is dead.
  const offsets = await outlastFailover(
    () => admin.fetchTopicOffsets(topic),
    () => admin.fetchTopicMetadata({ topics: [topic] }),
  );
  /** Offsets at or past these were written after we joined. */
  const liveFrom = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));

  let current: Connection = "connecting";
  const set = (state: Connection, reason?: string) => {
    if (state === current) return;
    current = state;
    handlers.connection(state, reason);
  };
  // The next offset to show per partition; the first join seeks to the history's start.
  const position = new Map<number, bigint>();
  for (const { partition, high, low } of offsets) {
    const start = BigInt(high) - BigInt(history);
    position.set(partition, start > BigInt(low) ? start : BigInt(low));
  }
  consumer.on(consumer.events.FETCH, () => set("connected"));
  consumer.on(consumer.events.GROUP_JOIN, () => {
    // Emitted inside kafkajs's join, before its first fetch: the seeks apply to that fetch.
    for (const [partition, offset] of position)
      consumer.seek({ topic, partition, offset: offset.toString() });
    set("connected");
  });
  consumer.on(consumer.events.CRASH, (event) => set("reconnecting", describe(event.payload.error)));
  consumer.on(consumer.events.REQUEST_TIMEOUT, () => set("reconnecting", "request timed out"));

  // Partitions whose history is still being read, with the offset that ends it.
  const historyEnds = new Map<number, bigint>();
  let historyDone!: () => void;
  const historyLoaded = new Promise<void>((resolve) => {
    historyDone = resolve;
  });
  for (const { partition, high } of offsets) {
    if ((position.get(partition) ?? 0n) < BigInt(high)) historyEnds.set(partition, BigInt(high));
  }
  if (historyEnds.size === 0) historyDone();

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const from = liveFrom.get(batch.partition) ?? 0n;
      let next = position.get(batch.partition) ?? 0n;
      const old: Decoded[] = [];
      const fresh: Decoded[] = [];
      for (const message of batch.messages) {
        const offset = BigInt(message.offset);
        if (offset < next) continue;
        next = offset + 1n;
        (offset < from ? old : fresh).push(decode(message.value, Number(message.timestamp)));
      }
      position.set(batch.partition, next);
      if (old.length) handlers.records(old, false);
      if (fresh.length) handlers.records(fresh, true);
      const end = historyEnds.get(batch.partition);
      if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) {
        historyEnds.delete(batch.partition);
        if (historyEnds.size === 0) historyDone();
      }
    },
  });

  return {
    groupId,
    historyLoaded,
    async send(record) {
      // The producer retries through a broker failure inside send(): a send that long
      // unacknowledged is the outage the status line must show.
      const slow = setTimeout(
        () => set("reconnecting", "Kafka has not acknowledged a message yet"),
        SLOW_SEND_MS,
      );
      try {
        await producer.send({ topic, acks: -1, messages: [{ key: user, value: encode(record) }] });
      } catch (error) {
        set("reconnecting", describe(error));
        throw error;
      } finally {
        clearTimeout(slow);
      }
      set("connected");
    },
    async close() {
      await consumer.disconnect().catch(() => {});
      await admin.deleteGroups([groupId]).catch(() => {});
      await Promise.all([admin.disconnect().catch(() => {}), producer.disconnect().catch(() => {})]);
    },
  };
}
