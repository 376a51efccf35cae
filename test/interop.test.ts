/**
 * Interop with the original project's own client: kafka-python writes the seed chat as the
 * original clients did (json.dumps), byte for byte what they wrote, and we decode it; kafka-python
 * reads what `dchat send` writes. Hostile and malformed values from another client (librdkafka)
 * decode to a problem, never an exception.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureTopic, openKafka } from "../lib/kafka/index.ts";
import { decode } from "../lib/wire.ts";
import { brokerAddress, repoRoot, uniqueName } from "./support/broker.ts";
import { consumeAsOriginal, produceAsOriginal, produceValues, readValues } from "./support/client.ts";
import { consumeMessages } from "./support/consume.ts";
import { runDchat } from "./support/dchat.ts";

const seedLines = readFileSync(join(repoRoot, "test", "fixtures", "seed-chat", "messages.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.length > 0);

async function consumeAll(brokers: string, topic: string, count: number) {
  const messages = await consumeMessages(brokers, topic);
  expect(messages).toHaveLength(count);
  return messages.map((message) => decode(message.value, message.timestampMs));
}

test("the seed chat written by kafka-python as the original clients did decodes record for record", async () => {
  const brokers = await brokerAddress();
  const topic = uniqueName("interop-seed");
  await ensureTopic(openKafka({ brokers: [brokers], clientId: "t", ssl: false }), topic);
  produceAsOriginal(
    brokers,
    topic,
    seedLines.map((line) => JSON.parse(line)),
  );
  // The same bytes the original clients wrote: the fixture is what their json.dumps produced.
  expect(readValues(brokers, topic)).toEqual(seedLines);
  const decoded = await consumeAll(brokers, topic, seedLines.length);
  expect(decoded.map((d) => (d.ok ? d.record : d.problem))).toEqual(
    seedLines.map((line) => JSON.parse(line)),
  );
  expect(decoded.every((d) => d.ok && d.timeSource === "record")).toBe(true);
});

test("malformed values from another client become problems that keep the raw bytes", async () => {
  const brokers = await brokerAddress();
  const topic = uniqueName("interop-bad");
  await ensureTopic(openKafka({ brokers: [brokers], clientId: "t", ssl: false }), topic);
  const values = [
    "plain text, not JSON",
    "[1,2,3]",
    '{"sender": 5, "message": "x", "end": false}',
    '{"sender": "old", "message": "no timestamp", "end": false}',
    '{"sender": "e\\u001b]0;pwned\\u0007", "message": "\\u001b[2J", "end": false, "timestamp": "2024-08-26T11:26:28"}',
  ];
  produceValues(brokers, topic, values);
  const decoded = await consumeAll(brokers, topic, values.length);
  expect(decoded.map((d) => (d.ok ? "ok" : d.problem))).toEqual([
    "not-json",
    "not-object",
    "bad-field",
    "ok",
    "ok",
  ]);
  const first = decoded[0];
  expect(first && !first.ok && Buffer.from(first.raw).toString()).toBe(values[0]);
  const old = decoded[3];
  expect(old?.ok && old.timeSource).toBe("kafka");
  const hostile = decoded[4];
  expect(hostile?.ok && hostile.record.sender).toBe("e\u001b]0;pwned\u0007");
});

test("the original client (kafka-python, json.loads) reads what dchat send writes", async () => {
  const brokers = await brokerAddress();
  const room = uniqueName("interop-send");
  const sent = await runDchat([
    "send",
    "--brokers",
    brokers,
    "--room",
    room,
    "--user",
    "민수",
    "안녕 \u001b[2J",
  ]);
  expect(sent.code).toBe(0);
  const [record] = consumeAsOriginal(brokers, room, 1) as {
    sender: string;
    message: string;
    end: boolean;
    timestamp: string;
  }[];
  expect(record).toMatchObject({ sender: "민수", message: "안녕 \u001b[2J", end: false });
  expect(record?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
});
