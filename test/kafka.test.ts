/**
 * kafkajs 2.2.4 on Bun against a real Kafka 4.x: the protocol paths dchat relies on. Bun has broken
 * some of them before (gzip fetch, idempotent producer hang, send() hang; see notes/kafka.md), so
 * each one is exercised for real here.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type { KafkaSettings } from "../lib/config.ts";
import { ExitCode } from "../lib/errors.ts";
import {
  CompressionTypes,
  connectKafka,
  DeliveryTimeout,
  ensureTopic,
  type Kafka,
  kafkaFailure,
} from "../lib/kafka/index.ts";
import { brokerAddress, uniqueName } from "./support/broker.ts";
import { consumeMessages } from "./support/consume.ts";

let kafka: Kafka;
beforeAll(async () => {
  kafka = connectKafka({ brokers: [await brokerAddress()], clientId: "dchat-test", ssl: false });
});

async function readValues(topic: string, count: number): Promise<string[]> {
  const messages = await consumeMessages(await brokerAddress(), topic, count);
  return messages.map((message) => message.value?.toString() ?? "");
}

describe("kafkajs on Bun against Kafka 4", () => {
  test("ensureTopic creates with the partitions asked for and leaves an existing topic alone", async () => {
    const topic = uniqueName("ensure");
    await ensureTopic(kafka, topic, 3);
    await ensureTopic(kafka, topic, 1);
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(meta.topics[0]?.partitions).toHaveLength(3);
  });

  test("idempotent producer with gzip: sent, fetched and decompressed", async () => {
    const topic = uniqueName("gzip");
    await ensureTopic(kafka, topic);
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
    await ensureTopic(kafka, topic);
    await ensureTopic(kafka, source);
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

describe("kafkaFailure", () => {
  const settings: KafkaSettings = { brokers: ["b1:9092", "b2:9092"], clientId: "x", ssl: false };

  test("a real connection refusal names every broker tried", async () => {
    const dead = connectKafka({ brokers: ["127.0.0.1:1"], clientId: "x", ssl: false }, { retries: 0 });
    const admin = dead.admin();
    const error = await admin.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    const failure = kafkaFailure(error, { ...settings, brokers: ["127.0.0.1:1"] });
    expect(failure.message).toBe(
      "cannot reach Kafka at 127.0.0.1:1 (connection refused): is the broker running? Set --brokers or DCHAT_BROKERS",
    );
    expect(failure.exitCode).toBe(ExitCode.Failure);
  });

  test("SASL, TLS and authorization failures say what to check", () => {
    const sasl = { name: "KafkaJSSASLAuthenticationError", message: "SASL PLAIN authentication failed" };
    expect(kafkaFailure(sasl, settings).message).toMatch(
      /^Kafka at b1:9092,b2:9092 rejected the SASL credentials/,
    );
    const tls = { name: "KafkaJSConnectionError", message: "self-signed certificate in certificate chain" };
    expect(kafkaFailure(tls, settings).message).toMatch(
      /^TLS handshake with Kafka at b1:9092,b2:9092 failed/,
    );
    const auth = {
      name: "KafkaJSProtocolError",
      type: "TOPIC_AUTHORIZATION_FAILED",
      message: "Not authorized",
    };
    expect(kafkaFailure(auth, settings).message).toMatch(/refused this operation \(not authorized\)/);
  });

  test("broker failures in a cluster name the trouble, not an unreachable cluster", () => {
    const belowMinIsr = {
      name: "KafkaJSNumberOfRetriesExceeded",
      message: "retries exceeded",
      originalError: {
        name: "KafkaJSProtocolError",
        type: "NOT_ENOUGH_REPLICAS",
        message: "fewer in-sync replicas",
      },
    };
    expect(kafkaFailure(belowMinIsr, settings).message).toBe(
      "Kafka at b1:9092,b2:9092: too few in-sync replicas to accept the write (fewer brokers up than min.insync.replicas); nothing was written",
    );
    const oneDown = {
      name: "KafkaJSNumberOfRetriesExceeded",
      message: "retries exceeded",
      originalError: {
        name: "KafkaJSConnectionError",
        broker: "b2:9092",
        message: "connect ECONNREFUSED b2:9092",
      },
    };
    expect(kafkaFailure(oneDown, settings).message).toMatch(
      /^Kafka broker b2:9092 is unreachable \(connection refused\)/,
    );
    expect(kafkaFailure(new DeliveryTimeout(40_000, "The request timed out"), settings).message).toBe(
      "Kafka at b1:9092,b2:9092 did not acknowledge the record within 40 s (last error: The request timed out): " +
        "too few brokers up for min.insync.replicas, or no leader elected; it may or may not be stored",
    );
  });

  test("anything else is still one line", () => {
    const odd = { name: "Weird", message: "first line\nsecond line" };
    expect(kafkaFailure(odd, settings).message).toBe("Kafka at b1:9092,b2:9092 failed: first line");
  });
});
