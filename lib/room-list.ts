/**
 * The rooms on a cluster: every topic that is not internal, its human name decoded
 * (lib/rooms.ts), its partitions, the records it retains (high − low watermark summed over
 * partitions: transaction markers included, so a room the bot answers in counts a few more) and
 * its last activity: the newest record time among the last few records of each partition.
 *
 * Those last records are read with a throwaway consumer group (no offsets committed, deleted
 * afterwards), within a deadline: on a busy cluster (rooms created, deleted, written to while we
 * read) the listing is never held up; a room whose tail was not read in time shows no time.
 */
import { randomUUID } from "node:crypto";
import type { Admin, Kafka } from "./kafka/index.ts";
import { isInternalTopic, topicToRoom } from "./rooms.ts";

export interface RoomInfo {
  room: string;
  topic: string;
  partitions: number;
  /** Records retained (offsets between the log start and the end). */
  retained: number;
  /** Time of the newest record read, null when none was read (in time). */
  lastActivity: Date | null;
}

interface Marks {
  topic: string;
  partitions: { partition: number; low: number; high: number }[];
}

/** Records read back from the end of each partition to find a real one among markers. */
const TAIL = 8;

/** The newest record time per topic, from the last TAIL records of each partition. */
async function lastTimes(
  kafka: Kafka,
  admin: Admin,
  marks: Marks[],
  deadline: number,
): Promise<Map<string, number>> {
  const newest = new Map<string, number>();
  const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
  const ends = new Map<string, number>();
  for (const { topic, partitions } of marks)
    for (const p of partitions) if (p.high > p.low) ends.set(key(topic, p.partition), p.high);
  const topics = marks.filter((m) => m.partitions.some((p) => p.high > p.low)).map((m) => m.topic);
  if (topics.length === 0) return newest;
  const groupId = `dchat-rooms-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200, maxBytesPerPartition: 64 * 1024 });
  let finished!: () => void;
  const allRead = new Promise<void>((resolve) => {
    finished = resolve;
  });
  // The position after a batch, markers included (how the audit tracks it too).
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const k = key(payload.topic, payload.partition);
    const end = ends.get(k);
    if (end !== undefined && Number(payload.lastOffset) + 1 >= end) ends.delete(k);
    if (ends.size === 0) finished();
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
  try {
    await Promise.race([
      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topics, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages)
              newest.set(batch.topic, Math.max(newest.get(batch.topic) ?? 0, Number(message.timestamp)));
          },
        });
        for (const { topic, partitions } of marks)
          for (const p of partitions)
            if (p.high > p.low)
              consumer.seek({
                topic,
                partition: p.partition,
                offset: String(Math.max(p.low, p.high - TAIL)),
              });
        await allRead;
      })(),
      timeout,
    ]);
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  return new Map(newest);
}

/** Rooms with their last activity read until `deadline` (ms since the epoch). */
export async function listRooms(kafka: Kafka, deadline: number): Promise<RoomInfo[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => !isInternalTopic(topic)).sort();
    const found = await Promise.all(
      topics.map(async (topic) => {
        // A topic deleted between the listing and this call is simply not a room any more.
        const offsets = await admin.fetchTopicOffsets(topic).catch(() => null);
        return offsets
          ? {
              topic,
              partitions: offsets.map((o) => ({
                partition: o.partition,
                low: Number(o.low),
                high: Number(o.high),
              })),
            }
          : null;
      }),
    );
    const marks = found.filter((m): m is Marks => m !== null);
    const newest = await lastTimes(kafka, admin, marks, deadline);
    return marks.map(({ topic, partitions }) => {
      const last = newest.get(topic);
      return {
        room: topicToRoom(topic),
        topic,
        partitions: partitions.length,
        retained: partitions.reduce((sum, p) => sum + (p.high - p.low), 0),
        lastActivity: last === undefined ? null : new Date(last),
      };
    });
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Most recently active first; rooms without a known last message after them, by name. */
export function byActivity(rooms: RoomInfo[]): RoomInfo[] {
  return [...rooms].sort(
    (a, b) =>
      (b.lastActivity?.getTime() ?? -1) - (a.lastActivity?.getTime() ?? -1) || a.room.localeCompare(b.room),
  );
}
