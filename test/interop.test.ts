/**
 * Interop with an independent client: kcat (librdkafka) writes what the original Python clients
 * wrote, byte for byte, and we decode it; hostile and malformed values decode to a problem, never
 * an exception.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connectKafka, ensureTopic } from "../lib/kafka.ts";
import { decode } from "../lib/wire.ts";
import { brokerAddress, repoRoot, uniqueName } from "./support/broker.ts";
import { consumeMessages } from "./support/consume.ts";
import { kcatProduce } from "./support/kcat.ts";

const seedLines = readFileSync(join(repoRoot, "test", "fixtures", "seed-chat", "messages.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.length > 0);

async function consumeAll(brokers: string, topic: string, count: number) {
  const messages = await consumeMessages(brokers, topic, count);
  return messages.map((message) => decode(message.value, Number(message.timestamp)));
}

test("the seed chat written by kcat in the original format decodes record for record", async () => {
  const brokers = await brokerAddress();
  const topic = uniqueName("interop-seed");
  await ensureTopic(connectKafka({ brokers: [brokers], clientId: "t", ssl: false }), topic);
  kcatProduce(brokers, topic, seedLines);
  const decoded = await consumeAll(brokers, topic, seedLines.length);
  expect(decoded.map((d) => (d.ok ? d.record : d.problem))).toEqual(
    seedLines.map((line) => JSON.parse(line)),
  );
  expect(decoded.every((d) => d.ok && d.timeSource === "record")).toBe(true);
});

test("malformed values from another client become problems that keep the raw bytes", async () => {
  const brokers = await brokerAddress();
  const topic = uniqueName("interop-bad");
  await ensureTopic(connectKafka({ brokers: [brokers], clientId: "t", ssl: false }), topic);
  const values = [
    "plain text, not JSON",
    "[1,2,3]",
    '{"sender": 5, "message": "x", "end": false}',
    '{"sender": "old", "message": "no timestamp", "end": false}',
    '{"sender": "e\\u001b]0;pwned\\u0007", "message": "\\u001b[2J", "end": false, "timestamp": "2024-08-26T11:26:28"}',
  ];
  kcatProduce(brokers, topic, values);
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
