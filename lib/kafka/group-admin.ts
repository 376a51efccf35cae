/**
 * What a consumer group's member asks the cluster besides records: which topics exist, where
 * the group has committed, and where each partition begins and ends (the bot's takeover,
 * lib/bot/takeover.ts). Failures reject with a KafkaFailure.
 */
import { guarded, type KafkaClient, kafkajsOf } from "./client.ts";
import type { Position } from "./transaction.ts";

export interface PartitionEnds {
  partition: number;
  /** The first offset still stored. */
  low: string;
  /** The next offset to be written. */
  high: string;
}

/** The offset a group has when it never committed one for a partition. */
export const NO_COMMITTED_OFFSET = "-1";

export interface GroupAdmin {
  topics(): Promise<string[]>;
  /**
   * The group's committed position of each partition of `topics` the coordinator answered for,
   * NO_COMMITTED_OFFSET where it has none. A partition missing from the answer is unknown, not
   * uncommitted: kafkajs asks only for the partitions its metadata lists, and right after a
   * broker failure that list can lack a topic's partitions.
   */
  committed(groupId: string, topics: string[]): Promise<Position[]>;
  ends(topic: string): Promise<PartitionEnds[]>;
  close(): Promise<void>;
}

export async function openGroupAdmin(client: KafkaClient): Promise<GroupAdmin> {
  const admin = kafkajsOf(client).admin();
  try {
    await guarded(client, () => admin.connect());
  } catch (failure) {
    await admin.disconnect().catch(() => {});
    throw failure;
  }
  return {
    topics: () => guarded(client, () => admin.listTopics()),
    committed: (groupId, topics) =>
      guarded(client, async () =>
        (await admin.fetchOffsets({ groupId, topics })).flatMap(({ topic, partitions }) =>
          partitions.map(({ partition, offset }) => ({ topic, partition, offset })),
        ),
      ),
    ends: (topic) =>
      guarded(client, async () =>
        (await admin.fetchTopicOffsets(topic)).map(({ partition, low, high }) => ({ partition, low, high })),
      ),
    close: () => admin.disconnect().catch(() => {}),
  };
}
