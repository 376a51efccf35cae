/**
 * Topic admin: the topics of the cluster, each partition's offsets, creating a room's topic.
 * Every call rejects with a KafkaFailure.
 */
import type { Admin } from "kafkajs";
import { guarded, type KafkaClient, kafkajsOf } from "./client.ts";
import { outlastFailover } from "./delivery.ts";
import { failureOf } from "./failure.ts";

export interface Watermarks {
  partition: number;
  /** Log start offset: the oldest offset still stored. */
  low: number;
  /** End of the log as a read_committed reader sees it (the last stable offset). */
  high: number;
}

export interface TopicAdmin {
  /** Every topic, Kafka's internal ones included. */
  topics(): Promise<string[]>;
  /** By partition. `throughFailover` retries while a partition's leader is dead (fresh metadata between). */
  watermarks(topic: string, options?: { throughFailover?: boolean }): Promise<Watermarks[]>;
  /** Creates the topic with `partitions` when missing; an existing topic is left as it is. */
  ensureTopic(topic: string, partitions?: number): Promise<void>;
  /** Deletes the topics (a benchmark's or a test's own); a topic already gone is no failure. */
  deleteTopics(topics: string[]): Promise<void>;
  /** Deletes consumer groups; failures are ignored (a group the broker expires anyway). */
  forgetGroups(groupIds: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function openAdmin(client: KafkaClient): Promise<TopicAdmin> {
  const admin: Admin = kafkajsOf(client).admin();
  await guarded(client, () => admin.connect());
  return {
    topics: () => guarded(client, () => admin.listTopics()),
    watermarks: (topic, { throughFailover = false } = {}) =>
      guarded(client, async () => {
        const fetch = () => admin.fetchTopicOffsets(topic);
        const offsets = throughFailover
          ? await outlastFailover(fetch, () => admin.fetchTopicMetadata({ topics: [topic] }))
          : await fetch();
        return offsets
          .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
          .sort((a, b) => a.partition - b.partition);
      }),
    ensureTopic: (topic, partitions = 1) => guarded(client, () => createMissing(admin, topic, partitions)),
    deleteTopics: (topics) =>
      guarded(client, async () => {
        const present = new Set(await admin.listTopics());
        const gone = topics.filter((topic) => present.has(topic));
        if (gone.length > 0) await admin.deleteTopics({ topics: gone });
      }),
    forgetGroups: (groupIds) =>
      admin.deleteGroups(groupIds).then(
        () => {},
        () => {},
      ),
    close: () => admin.disconnect().catch(() => {}),
  };
}

/**
 * It asks for the topic list first, which any live broker answers: kafkajs's createTopics gives
 * up at once when the broker it takes for the controller is down.
 */
function createMissing(admin: Admin, topic: string, partitions: number): Promise<void> {
  return outlastFailover(async () => {
    try {
      if ((await admin.listTopics()).includes(topic)) return;
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    } catch (error) {
      // Another client may create it between our metadata check and our request.
      if (failureOf(error)?.code !== "topic-exists") throw error;
    }
  });
}

/** ensureTopic on an admin connection of its own. */
export async function ensureTopic(client: KafkaClient, topic: string, partitions = 1): Promise<void> {
  const admin = await openAdmin(client);
  try {
    await admin.ensureTopic(topic, partitions);
  } finally {
    await admin.close();
  }
}
