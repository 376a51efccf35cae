/**
 * kafkajs 2.2.4 on Bun against a real Kafka 4.x: the protocol paths the adapter relies on. Bun has
 * broken some of them before (gzip fetch, idempotent producer hang, send() hang; see
 * notes/kafka.md), so each one is exercised for real here, below the adapter.
 */
import { beforeAll, describe, expect, test } from "bun:test";
// The one test outside lib/kafka/ that imports kafkajs: it checks the library itself.
import { CompressionTypes, type Kafka } from "kafkajs";

import { ensureTopic, type KafkaClient, kafkajsOf, openKafka } from "../lib/kafka/index.ts";
import { brokerAddress, uniqueName } from "./support/broker.ts";
import { consumeMessages } from "./support/consume.ts";

let client: KafkaClient;
let kafka: Kafka;
beforeAll(async () => {
  client = openKafka({ brokers: [await brokerAddress()], clientId: "dchat-test", ssl: false });
  kafka = kafkajsOf(client);
});

/**
 * The topic's `count` committed records. A commit returns before the partition's markers are
 * written, and read_committed reads end at the last stable offset, which moves past a
 * transaction's records only with its marker: so read again until `count` are there (or 15 s).
 */
async function readValues(topic: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  let messages = await consumeMessages(await brokerAddress(), topic);
  while (messages.length < count && Date.now() < deadline) {
    await Bun.sleep(100);
    messages = await consumeMessages(await brokerAddress(), topic);
  }
  expect(messages).toHaveLength(count);
  return messages.map((message) => message.value?.toString() ?? "");
}

describe("kafkajs on Bun against Kafka 4", () => {
  test("ensureTopic creates with the partitions asked for and leaves an existing topic alone", async () => {
    const topic = uniqueName("ensure");
    await ensureTopic(client, topic, 3);
    await ensureTopic(client, topic, 1);
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(meta.topics[0]?.partitions).toHaveLength(3);
  });

  test("idempotent producer with gzip: sent, fetched and decompressed", async () => {
    const topic = uniqueName("gzip");
    await ensureTopic(client, topic);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const values = Array.from({ length: 200 }, (_, i) => `안녕 ${i} ${"x".repeat(i)}`);
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: values.map((value) => ({ value })),
    });
    await producer.disconnect();
    expect(await readValues(topic, values.length)).toEqual(values);
  });

  test("transactions: committed records are read, aborted ones are not, offsets commit with sendOffsets", async () => {
    const topic = uniqueName("txn");
    const source = uniqueName("txn-source");
    await ensureTopic(client, topic);
    await ensureTopic(client, source);
    const producer = kafka.producer({
      transactionalId: uniqueName("txn-id"),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();

    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ value: "aborted" }] });
    await aborted.abort();

    const groupId = uniqueName("txn-group");
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ value: "committed" }] });
    await committed.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic: source, partitions: [{ partition: 0, offset: "42" }] }],
    });
    await committed.commit();
    await producer.disconnect();

    expect(await readValues(topic, 1)).toEqual(["committed"]);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [source] });
    await admin.deleteGroups([groupId]);
    await admin.disconnect();
    expect(offsets[0]?.partitions[0]?.offset).toBe("42");
  });
});
