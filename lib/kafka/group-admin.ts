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

export interface GroupAdmin {
  topics(): Promise<string[]>;
  /** The group's committed positions in `topics`; partitions it has none for are left out. */
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
          partitions.flatMap(({ partition, offset }) =>
            offset === "-1" ? [] : [{ topic, partition, offset }],
          ),
        ),
      ),
    ends: (topic) =>
      guarded(client, async () =>
        (await admin.fetchTopicOffsets(topic)).map(({ partition, low, high }) => ({ partition, low, high })),
      ),
    close: () => admin.disconnect().catch(() => {}),
  };
}
