/**
 * The chat's Kafka edge: one room = one topic. Joining makes sure the topic exists, then follows
 * it from the last `history` records on (lib/kafka's topic stream) and sends through an
 * idempotent producer. Records carry a `live` flag so a mention in history does not ring.
 */
import { ensureTopic, followTopic, type KafkaClient, recordProducer } from "../kafka/index.ts";
import { type ChatRecord, type Decoded, decode, encode } from "../wire.ts";

/** How the room's link to Kafka is doing, as the status line shows it. */
export type LinkStatus = "connecting" | "connected" | "reconnecting";

export interface RoomHandlers {
  records(records: Decoded[], live: boolean): void;
  connection(state: LinkStatus, reason?: string): void;
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

/**
 * `user` keys every record this client writes, its join notice and leave record included, so in a
 * room of several partitions they all land in one partition and are read in the order written.
 */
export async function joinRoom(
  client: KafkaClient,
  topic: string,
  user: string,
  history: number,
  handlers: RoomHandlers,
): Promise<RoomLink> {
  await ensureTopic(client, topic);
  let current: LinkStatus = "connecting";
  const set = (state: LinkStatus, reason?: string) => {
    if (state === current) return;
    current = state;
    handlers.connection(state, reason);
  };
  const producer = recordProducer(client);
  await producer.connect();
  const stream = await followTopic(client, topic, history, {
    records: (records, live) =>
      handlers.records(
        records.map((r) => decode(r.value, r.timestampMs)),
        live,
      ),
    status: set,
  }).catch(async (error: unknown) => {
    await producer.close();
    throw error;
  });

  return {
    groupId: stream.groupId,
    historyLoaded: stream.historyLoaded,
    async send(record) {
      // The producer retries through a broker failure inside send(): a send that long
      // unacknowledged is the outage the status line must show.
      const slow = setTimeout(
        () => set("reconnecting", "Kafka has not acknowledged a message yet"),
        SLOW_SEND_MS,
      );
      try {
        await producer.send(topic, [{ key: user, value: encode(record) }]);
      } catch (error) {
        set("reconnecting", (error as Error).message);
        throw error;
      } finally {
        clearTimeout(slow);
      }
      set("connected");
    },
    async close() {
      await Promise.all([stream.close(), producer.close()]);
    },
  };
}
