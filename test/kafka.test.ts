/**
 * The Kafka adapter against the real broker: failures arrive as kinds with the user's line, and
 * using it changes nothing global and prints nothing of its own (Bun's TimeoutNegativeWarning
 * for kafkajs's negative throttle delay once crossed the chat screen).
 */
import { expect, test } from "bun:test";
import type { KafkaSettings } from "../lib/config.ts";
import { ExitCode } from "../lib/errors.ts";
import { brokerAddress, uniqueName } from "./support/broker.ts";
import { readValues } from "./support/client.ts";
import { runDchat } from "./support/dchat.ts";

test("a real connection refusal names every broker tried", async () => {
  const { connectKafka, kafkaFailure } = await import("../lib/kafka/index.ts");
  const settings: KafkaSettings = { brokers: ["127.0.0.1:1"], clientId: "x", ssl: false };
  const admin = connectKafka(settings, { retries: 0 }).admin();
  const error = await admin.connect().then(
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
