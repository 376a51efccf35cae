/**
 * `dchat bot --metrics HOST:PORT` against the real broker, scraped as Prometheus would:
 * /metrics parsed by prometheus_client's own text parser (PyPI, in .cache/py), whose values
 * move as questions are answered; /healthz and /readyz, which is not ready while the broker is
 * unreachable.
 */
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { python } from "../support/client.ts";
import { answersWhen, BotProcess, createRoom, say, useTestBed } from "./support.ts";

const bed = useTestBed();
const { created } = bed;

type Sample = { name: string; labels: Record<string, string>; value: number };

const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"name": s.name, "labels": s.labels, "value": s.value, "type": family.type})
print(json.dumps(out))
`;

/** Scrapes /metrics and parses it with prometheus_client's parser (which rejects malformed text). */
async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  const parsed = spawnSync(python, ["-c", PARSE], { input: await response.text(), encoding: "utf8" });
  if (parsed.status !== 0) throw new Error(`prometheus_client could not parse /metrics: ${parsed.stderr}`);
  return JSON.parse(parsed.stdout) as Sample[];
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

test("/metrics moves as questions are answered; /healthz and /readyz answer", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-m-${id}`;
  created.push(room);
  await createRoom(bed.kafka, room);
  const bot = new BotProcess(bed.brokers, [
    "--rooms",
    room,
    "--group",
    `bot-test-${id}`,
    "--metrics",
    "127.0.0.1:0",
    "--rate-limit",
    "1/60s",
  ]);
  let before: Sample[] = [];
  let after: Sample[] = [];
  const statuses: number[] = [];
  try {
    const url = String((await bot.waitFor("the metrics address", (l) => l.event === "metrics")).url);
    await bot.serving(room);
    statuses.push((await fetch(`${url}/healthz`)).status, (await fetch(`${url}/readyz`)).status);
    before = await scrape(url);
    await say(bed.producer, room, "kim", "@bot 기생충 | 감독");
    await say(bed.producer, room, "kim", "@bot 괴물 | 제작년도"); // over kim's limit: the notice, an answer too
    await say(bed.producer, room, "kim", "@bot 괴물 | 장르"); // dropped
    await say(bed.producer, room, "lee", "안녕하세요"); // chatter
    await bed.producer.send({ topic: room, messages: [{ value: Buffer.from("not json {") }] });
    const last = await say(bed.producer, room, "park", "@bot 올드보이 | 감독");
    await answersWhen(bed.brokers, room, (answers) => answers.some((a) => a.replyTo === last));
    // The bot logs an answer once its transaction has committed and its metrics are updated.
    await bot.waitFor("park's answer", (l) => l.event === "answer" && l.sender === "park");
    after = await scrape(url);
  } finally {
    bot.proc.kill("SIGTERM");
  }
  expect(await bot.exited).toBe(0);
  expect(statuses).toEqual([200, 200]);
  expect(value(before, "dchat_bot_records_total", { outcome: "answered" })).toBe(0);
  expect(value(before, "dchat_bot_rooms")).toBe(1);
  expect(value(before, "dchat_bot_partitions")).toBe(1);
  expect(value(before, "dchat_bot_slots")).toBe(1);
  expect(value(after, "dchat_bot_records_total", { outcome: "answered" })).toBe(3);
  expect(value(after, "dchat_bot_records_total", { outcome: "rate_limited" })).toBe(1);
  expect(value(after, "dchat_bot_records_total", { outcome: "malformed" })).toBe(1);
  // lee's chatter, and the bot's own answers as they come back.
  expect(value(after, "dchat_bot_records_total", { outcome: "ignored" })).toBeGreaterThanOrEqual(1);
  expect(value(after, "dchat_bot_answer_latency_seconds_count")).toBe(3);
  expect(value(after, "dchat_bot_answer_latency_seconds_bucket", { le: "+Inf" })).toBe(3);
  expect(value(after, "dchat_bot_answer_latency_seconds_sum")).toBeGreaterThan(0);
  expect(value(after, "dchat_bot_transactions_total", { result: "committed" })).toBeGreaterThanOrEqual(1);
  expect(value(after, "dchat_bot_transactions_total", { result: "failed" })).toBe(0);
  expect(value(after, "dchat_bot_consumer_lag", { room, partition: "0" })).toBeGreaterThanOrEqual(0);
  expect(value(after, "process_resident_memory_bytes")).toBeGreaterThan(10_000_000);
  expect(value(after, "process_cpu_seconds_total")).toBeGreaterThan(
    value(before, "process_cpu_seconds_total") ?? Number.POSITIVE_INFINITY,
  );
});

test("not ready while the broker is unreachable, alive all the same", async () => {
  const bot = new BotProcess("127.0.0.1:1", ["--metrics", "127.0.0.1:0", "--group", "bot-test-unreachable"]);
  const statuses: number[] = [];
  try {
    const url = String((await bot.waitFor("the metrics address", (l) => l.event === "metrics")).url);
    await bot.waitFor("a failed session", (l) => l.event === "session-failed");
    statuses.push((await fetch(`${url}/healthz`)).status, (await fetch(`${url}/readyz`)).status);
  } finally {
    bot.proc.kill("SIGTERM");
  }
  expect(await bot.exited).toBe(0);
  expect(statuses).toEqual([200, 503]);
});

test("a bad --metrics value is a usage error; a port in use is one line and exit 1", async () => {
  const bad = new BotProcess(bed.brokers, ["--metrics", "localhost"]);
  expect(await bad.exited).toBe(2);
  expect(bad.stderr).toEqual([
    'dchat bot: --metrics must be HOST:PORT (e.g. 127.0.0.1:9464 or :9464), got "localhost"',
  ]);
  const holder = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  try {
    const busy = new BotProcess(bed.brokers, ["--metrics", `127.0.0.1:${holder.port}`]);
    expect(await busy.exited).toBe(1);
    expect(busy.stderr).toHaveLength(1);
    expect(busy.stderr[0]).toStartWith(`dchat bot: cannot serve metrics on 127.0.0.1:${holder.port}: `);
  } finally {
    holder.stop(true);
  }
});
