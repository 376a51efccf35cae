/**
 * Chat latency: a message typed into one `dchat chat` client (in a pseudo-terminal) until its
 * text appears in the bytes another client writes to its terminal — the full path: key decode,
 * produce (acks=all), broker, consume, update, frame. Sequential, like Kafka's own
 * EndToEndLatency tool, which runs on the same broker in the same invocation for comparison.
 *
 * The chat draws at most ~60 frames a second. A closed loop (next message the instant the last
 * one is drawn) phase-locks with that frame clock and measures the frame cap (~16 ms), not the
 * path, so the main figure leaves a random 16–32 ms pause between messages (still far busier
 * than any real room); the closed-loop figure is printed too.
 *
 *   bun bench/chat-latency/run.ts [--messages 2000]
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openAdmin, openKafka } from "../../lib/kafka/index.ts";
import { chatCommandLine } from "../../test/chat/pty.ts";
import { brokerAddress, repoRoot, uniqueName } from "../../test/support/broker.ts";

const { values } = parseArgs({ options: { messages: { type: "string", default: "2000" } } });
const count = Number(values.messages);
const brokers = await brokerAddress();
const room = uniqueName("bench-latency");
const size = { cols: 100, rows: 30 };

function spawnClient(user: string, onData: (text: string) => void): Bun.Subprocess {
  const decoder = new TextDecoder();
  return Bun.spawn(
    [...chatCommandLine(), "--room", room, "--user", user, "--brokers", brokers, "--history", "0"],
    {
      terminal: { ...size, data: (_t, bytes) => onData(decoder.decode(bytes, { stream: true })) },
      env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home"), TERM: "xterm-256color" },
    },
  );
}

let received = "";
let waiting: { marker: string; resolve: () => void } | null = null;
const receiver = spawnClient("receiver", (text) => {
  received = (received + text).slice(-4096);
  if (waiting && received.includes(waiting.marker)) {
    const done = waiting.resolve;
    waiting = null;
    received = "";
    done();
  }
});

function arrival(marker: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${marker} within ${timeoutMs} ms`)), timeoutMs);
    waiting = {
      marker,
      resolve: () => {
        clearTimeout(timer);
        resolve();
      },
    };
    if (received.includes(marker)) waiting.resolve();
  });
}

// The sender starts once the receiver is live, so the receiver sees the sender's join record.
await arrival("User [receiver] has entered the chat!");
const sender = spawnClient("sender", () => {});
await arrival("User [sender] has entered the chat!");
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function measure(n: number, tag: string, pause: boolean): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (pause) await Bun.sleep(16 + Math.random() * 16);
    const marker = `${tag}${i}~`;
    const arrived = arrival(marker);
    const start = performance.now();
    sender.terminal?.write(`${marker}\r`);
    await arrived;
    out.push(performance.now() - start);
  }
  return out;
}

interface KafkaFigures {
  avg: number;
  p50: number;
  p99: number;
  p999: number;
}

const kafkaTopics: string[] = [];

/** Kafka's own EndToEndLatency tool on the same broker (whole-millisecond percentiles). */
function kafkaLatency(): KafkaFigures | string {
  const topic = uniqueName("bench-e2e-kafka");
  kafkaTopics.push(topic);
  const args = ["--bootstrap-server", brokers, "--topic", topic, "--num-records", String(count)];
  const tool = spawnSync(
    join(repoRoot, "scripts", "kafka"),
    [
      "tool",
      "org.apache.kafka.tools.EndToEndLatency",
      ...args,
      "--producer-acks",
      "all",
      "--record-size",
      "100",
    ],
    { encoding: "utf8" },
  );
  const line = /Percentiles: 50th = ([\d.]+), 99th = ([\d.]+), 99.9th = ([\d.]+)/.exec(tool.stdout);
  const avg = /Avg latency: ([\d.]+) ms/.exec(tool.stdout);
  if (!line || !avg) return `${tool.stdout}${tool.stderr}`;
  return { avg: Number(avg[1]), p50: Number(line[1]), p99: Number(line[2]), p999: Number(line[3]) };
}

// Kafka's tool runs before and after ours: the machine is shared, and load drifts.
const kafkaBefore = kafkaLatency();
await measure(100, "warm", false);
const ours = (await measure(count, "m", true)).sort((a, b) => a - b);
const closed = (await measure(Math.min(count, 500), "c", false)).sort((a, b) => a - b);
sender.terminal?.write("exit\r");
receiver.terminal?.write("exit\r");
await Promise.all([sender.exited, receiver.exited]);

const kafkaAfter = kafkaLatency();

const admin = await openAdmin(openKafka({ brokers: [brokers], clientId: "dchat-bench", ssl: false }));
await admin.deleteTopics([room, ...kafkaTopics]).catch(() => {});
await admin.close();

const fmt = (ms: number) => ms.toFixed(2);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const ourP99 = percentile(ours, 99);
console.log(
  `chat-latency: ${count} messages, typed in one dchat chat client → drawn by another (${chatCommandLine().join(" ")})`,
);
console.log(
  `  dchat chat, 16-32 ms between messages  avg ${fmt(mean(ours))} ms  p50 ${fmt(percentile(ours, 50))} ms  p99 ${fmt(ourP99)} ms  p99.9 ${fmt(percentile(ours, 99.9))} ms  max ${fmt(ours.at(-1) ?? 0)} ms`,
);
console.log(
  `  dchat chat, closed loop (${closed.length} msgs; frame-capped)  avg ${fmt(mean(closed))} ms  p50 ${fmt(percentile(closed, 50))} ms  p99 ${fmt(percentile(closed, 99))} ms`,
);
for (const [label, figures] of [
  ["before", kafkaBefore],
  ["after", kafkaAfter],
] as const) {
  if (typeof figures === "string") {
    console.log(`  Kafka EndToEndLatency (${label}) failed:\n${figures}`);
    continue;
  }
  const ratio = figures.p99 > 0 ? (ourP99 / figures.p99).toFixed(2) : "n/a (Kafka p99 rounds to 0 ms)";
  console.log(
    `  Kafka EndToEndLatency ${label} (acks=all, 100 B)  avg ${figures.avg} ms  p50 ${figures.p50} ms  p99 ${figures.p99} ms  p99.9 ${figures.p999} ms (whole ms)  → p99 ratio dchat/Kafka ${ratio} (goal ≤ 1.5)`,
  );
}
