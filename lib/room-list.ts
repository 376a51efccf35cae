/**
 * The rooms on a cluster: every topic that is not internal, its human name decoded
 * (lib/rooms.ts), its partitions, the records it retains (high − low watermark summed over
 * partitions: transaction markers included, so a room the bot answers in counts a few more) and,
 * when asked for, its last activity: the newest record time among the last few records of each
 * partition (read like the audit reads, with a throwaway consumer group that is deleted after).
 */
import { kafkaSource } from "./audit/source.ts";
import type { Kafka } from "./kafka.ts";
import { isInternalTopic, topicToRoom } from "./rooms.ts";

export interface RoomInfo {
  room: string;
  topic: string;
  partitions: number;
  /** Records retained (offsets between the log start and the end). */
  retained: number;
  /** Time of the newest record read, null when not asked for or none was readable. */
  lastActivity: Date | null;
}

/** Records read back from the end of each partition to find a real one among markers. */
const TAIL = 8;

export async function listRooms(kafka: Kafka, options: { lastActivity: boolean }): Promise<RoomInfo[]> {
  const source = await kafkaSource(kafka);
  try {
    const topics = (await source.topics()).filter((topic) => !isInternalTopic(topic)).sort();
    const marks = await Promise.all(
      topics.map(async (topic) => ({ topic, marks: await source.watermarks(topic) })),
    );
    const newest = new Map<string, number>();
    if (options.lastActivity) {
      const ranges = marks.flatMap(({ topic, marks }) =>
        marks.map((m) => ({
          topic,
          partition: m.partition,
          from: Math.max(m.low, m.high - TAIL),
          to: m.high,
        })),
      );
      await source.read(ranges, {
        records: (topic, _partition, records) => {
          for (const record of records)
            newest.set(topic, Math.max(newest.get(topic) ?? 0, record.timestampMs));
        },
        done: () => {},
      });
    }
    return marks.map(({ topic, marks }) => {
      const last = newest.get(topic);
      return {
        room: topicToRoom(topic),
        topic,
        partitions: marks.length,
        retained: marks.reduce((sum, m) => sum + (m.high - m.low), 0),
        lastActivity: last === undefined ? null : new Date(last),
      };
    });
  } finally {
    await source.close();
  }
}

/** Most recently active first; rooms without a readable message last, by name. */
export function byActivity(rooms: RoomInfo[]): RoomInfo[] {
  return [...rooms].sort(
    (a, b) =>
      (b.lastActivity?.getTime() ?? -1) - (a.lastActivity?.getTime() ?? -1) || a.room.localeCompare(b.room),
  );
}
