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
import {
  isKafkaFailure,
  type KafkaClient,
  type OffsetRange,
  openAdmin,
  readRanges,
  type Watermarks,
} from "./kafka/index.ts";
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
  partitions: Watermarks[];
}

/** Records read back from the end of each partition to find a real one among markers. */
const TAIL = 8;

/** The newest record time per topic, from the last TAIL records of each partition. */
async function lastTimes(
  client: KafkaClient,
  marks: Marks[],
  deadline: number,
): Promise<Map<string, number>> {
  const newest = new Map<string, number>();
  const ranges: OffsetRange[] = marks.flatMap(({ topic, partitions }) =>
    partitions
      .filter((p) => p.high > p.low)
      .map((p) => ({ topic, partition: p.partition, from: Math.max(p.low, p.high - TAIL), to: p.high })),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  try {
    await readRanges(
      client,
      ranges,
      {
        records: (topic, _partition, records) => {
          for (const record of records)
            newest.set(topic, Math.max(newest.get(topic) ?? 0, record.timestampMs));
        },
      },
      { purpose: "rooms", partitionBytes: 64 * 1024, waitMs: 200, until: timeout },
    );
  } catch (error) {
    // A tail that could not be read (a room deleted meanwhile) shows no time; the listing stands.
    if (!isKafkaFailure(error)) throw error;
  } finally {
    clearTimeout(timer);
  }
  return newest;
}

/** Rooms with their last activity read until `deadline` (ms since the epoch). */
export async function listRooms(client: KafkaClient, deadline: number): Promise<RoomInfo[]> {
  const admin = await openAdmin(client);
  try {
    const topics = (await admin.topics()).filter((topic) => !isInternalTopic(topic)).sort();
    const found = await Promise.all(
      topics.map(async (topic) => {
        // A topic deleted between the listing and this call is simply not a room any more.
        const partitions = await admin.watermarks(topic).catch(() => null);
        return partitions ? { topic, partitions } : null;
      }),
    );
    const marks = found.filter((m): m is Marks => m !== null);
    const newest = await lastTimes(client, marks, deadline);
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
    await admin.close();
  }
}

/** Most recently active first; rooms without a known last message after them, by name. */
export function byActivity(rooms: RoomInfo[]): RoomInfo[] {
  return [...rooms].sort(
    (a, b) =>
      (b.lastActivity?.getTime() ?? -1) - (a.lastActivity?.getTime() ?? -1) || a.room.localeCompare(b.room),
  );
}
