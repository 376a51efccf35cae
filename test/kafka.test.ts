/**
 * The Kafka adapter against the real broker: failures arrive as kinds with the user's line, and
 * using it changes nothing global and prints nothing of its own (Bun's TimeoutNegativeWarning
 * for kafkajs's negative throttle delay once crossed the chat screen).
 */
import { describe, expect, test } from "bun:test";
import type { KafkaSettings } from "../lib/config.ts";
import { ExitCode } from "../lib/errors.ts";
import { brokerAddress, uniqueName } from "./support/broker.ts";
import { consumerGroups, produceValues, readRecords, readValues, topicInfo } from "./support/client.ts";

import { runDchat } from "./support/dchat.ts";

test("a real connection refusal names every broker tried", async () => {
  const { kafkaFailure, openAdmin, openKafka } = await import("../lib/kafka/index.ts");
  const settings: KafkaSettings = { brokers: ["127.0.0.1:1"], clientId: "x", ssl: false };
  const error = await openAdmin(openKafka(settings, { retries: 0 })).then(
    () => undefined,
    (e: unknown) => e,
  );
  const failure = kafkaFailure(error, settings);
  expect(failure.message).toBe(
    "cannot reach Kafka at 127.0.0.1:1 (connection refused): is the broker running? Set --brokers or DCHAT_BROKERS",
  );
  expect(failure.exitCode).toBe(ExitCode.Failure);
});

test("opening a client leaves the process's setTimeout as it was", async () => {
  const before = globalThis.setTimeout;
  const { openKafka } = await import("../lib/kafka/index.ts");
  openKafka({ brokers: [await brokerAddress()], clientId: "x", ssl: false });
  expect(globalThis.setTimeout).toBe(before);
});

test("round trips with the broker print no warning: dchat send's stderr stays empty", async () => {
  const brokers = await brokerAddress();
  const topic = uniqueName("quiet");
  // Several messages: every response schedules kafkajs's throttle check again.
  const result = await runDchat(["send", "--brokers", brokers, "--room", topic, "--user", "q"], {
    stdin: "one\ntwo\nthree\n",
  });
  expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
  expect(readValues(brokers, topic).length).toBe(3);
});

describe("the adapter's operations on the real broker", () => {
  const settings = async (): Promise<KafkaSettings> => ({
    brokers: [await brokerAddress()],
    clientId: "dchat-test",
    ssl: false,
  });

  test("a failure leaves the adapter as a kind: an unreachable broker, retriable", async () => {
    const { ensureTopic, isKafkaFailure, openKafka } = await import("../lib/kafka/index.ts");
    const client = openKafka({ brokers: ["127.0.0.1:1"], clientId: "x", ssl: false }, { retries: 0 });
    const error = await ensureTopic(client, uniqueName("never")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isKafkaFailure(error)).toBe(true);
    expect(error).toMatchObject({ code: "unreachable", retriable: true, extra: { socket: "ECONNREFUSED" } });
  });

  test("ensureTopic creates with the partitions asked for and leaves an existing topic alone; deleteTopics removes it", async () => {
    const { ensureTopic, openAdmin, openKafka } = await import("../lib/kafka/index.ts");
    const client = openKafka(await settings());
    const brokers = client.settings.brokers[0] as string;
    const topic = uniqueName("ensure");
    await ensureTopic(client, topic, 3);
    await ensureTopic(client, topic, 1);
    expect(topicInfo(brokers, topic).partitions).toBe(3);
    const admin = await openAdmin(client);
    try {
      await admin.deleteTopics([topic, uniqueName("never-created")]);
      expect(await admin.topics()).not.toContain(topic);
    } finally {
      await admin.close();
    }
  });

  test("the record producer's records are keyed and acknowledged; another client reads them", async () => {
    const { ensureTopic, openKafka, recordProducer } = await import("../lib/kafka/index.ts");
    const client = openKafka(await settings());
    const brokers = client.settings.brokers[0] as string;
    const topic = uniqueName("produce");
    await ensureTopic(client, topic);
    const producer = recordProducer(client);
    await producer.connect();
    await producer.send(topic, [
      { key: "하나", value: Buffer.from("first") },
      { key: "하나", value: Buffer.from("둘째") },
    ]);
    await producer.close();
    expect(readRecords(brokers, topic).map((r) => [r.key, r.value.toString()])).toEqual([
      ["하나", "first"],
      ["하나", "둘째"],
    ]);
  });

  test("a topic stream hands over the last N as history, then live records; closing deletes its group", async () => {
    const { followTopic, openKafka } = await import("../lib/kafka/index.ts");
    const client = openKafka(await settings());
    const brokers = client.settings.brokers[0] as string;
    const topic = uniqueName("stream");
    produceValues(brokers, topic, ["0", "1", "2", "3", "4"]);
    const seen: { offset: number; value: string; live: boolean }[] = [];
    let live!: () => void;
    const liveArrived = new Promise<void>((resolve) => {
      live = resolve;
    });
    const statuses: string[] = [];
    const stream = await followTopic(client, topic, 2, {
      records: (records, isLive) => {
        for (const r of records) seen.push({ offset: r.offset, value: String(r.value), live: isLive });
        if (isLive) live();
      },
      status: (status) => statuses.push(status),
    });
    await stream.historyLoaded;
    expect(seen).toEqual([
      { offset: 3, value: "3", live: false },
      { offset: 4, value: "4", live: false },
    ]);
    produceValues(brokers, topic, ["5"]);
    await liveArrived;
    expect(seen.at(-1)).toEqual({ offset: 5, value: "5", live: true });
    expect(statuses).toContain("connected");
    expect(consumerGroups(brokers)).toContain(stream.groupId);
    await stream.close();
    expect(consumerGroups(brokers)).not.toContain(stream.groupId);
  });

  test("the range reader reads [from, to) of each partition, skips empty ranges, and deletes its group", async () => {
    const { ensureTopic, openKafka, readRanges } = await import("../lib/kafka/index.ts");
    const client = openKafka(await settings());
    const brokers = client.settings.brokers[0] as string;
    const topic = uniqueName("ranges");
    await ensureTopic(client, topic, 2);
    produceValues(brokers, topic, ["a0", "a1", "a2", "a3"], { partition: 0 });
    produceValues(brokers, topic, ["b0"], { partition: 1 });
    const purpose = uniqueName("test-ranges");
    const read: string[] = [];
    const done: number[] = [];
    await readRanges(
      client,
      [
        { topic, partition: 0, from: 1, to: 3 },
        // Nothing to read there: the reader must not wait for it.
        { topic, partition: 1, from: 1, to: 1 },
      ],
      {
        records: (_t, partition, records) => {
          for (const r of records) read.push(`${partition}:${r.offset}:${r.value}`);
        },
        done: (_t, partition) => void done.push(partition),
      },
      { purpose },
    );
    expect(read).toEqual(["0:1:a1", "0:2:a2"]);
    expect(done).toEqual([0]);
    expect(consumerGroups(brokers).filter((g) => g.startsWith(`dchat-${purpose}-`))).toEqual([]);
  });

  test("a range read stops without error when `until` settles", async () => {
    const { openKafka, readRanges } = await import("../lib/kafka/index.ts");
    const client = openKafka(await settings());
    const topic = uniqueName("until");
    produceValues(client.settings.brokers[0] as string, topic, ["x"]);
    // The range asks for offsets never written: only `until` can end it.
    await readRanges(
      client,
      [{ topic, partition: 0, from: 0, to: 1000 }],
      { records: () => {} },
      { until: Bun.sleep(1500) },
    );
  });
});
