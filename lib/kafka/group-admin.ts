/**
 * What a consumer group's member asks the cluster besides records: which topics exist, where
 * the group has committed, and where each partition begins and ends (the bot's takeover,
 * lib/bot/takeover.ts). Failures reject with a CommitFailure.
 */
import type { Kafka } from "kafkajs";
import { commitFailure, type Position } from "./transaction.ts";

export interface PartitionEnds {
  partition: number;
  /** The first offset still stored. */
  low: string;
  /** The next offset to be written. */
  high: string;
}

export interface GroupAdmin {
  topics(): Promise<string[]>;
  /** The group's committed positions in `topics`; partitions it has none for are left out. */
  committed(groupId: string, topics: string[]): Promise<Position[]>;
  ends(topic: string): Promise<PartitionEnds[]>;
  close(): Promise<void>;
}

async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw commitFailure(error);
  }
}

export async function openGroupAdmin(kafka: Kafka): Promise<GroupAdmin> {
  const admin = kafka.admin();
  try {
    await guarded(() => admin.connect());
  } catch (failure) {
    await admin.disconnect().catch(() => {});
    throw failure;
  }
  return {
    topics: () => guarded(() => admin.listTopics()),
    committed: (groupId, topics) =>
      guarded(async () =>
        (await admin.fetchOffsets({ groupId, topics })).flatMap(({ topic, partitions }) =>
          partitions.flatMap(({ partition, offset }) =>
            offset === "-1" ? [] : [{ topic, partition, offset }],
          ),
        ),
      ),
    ends: (topic) =>
      guarded(async () =>
        (await admin.fetchTopicOffsets(topic)).map(({ partition, low, high }) => ({ partition, low, high })),
      ),
    close: () => admin.disconnect().catch(() => {}),
  };
}
