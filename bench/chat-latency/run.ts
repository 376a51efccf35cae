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
import { connectKafka } from "../../lib/kafka.ts";
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

await measure(100, "warm", false);
const ours = (await measure(count, "m", true)).sort((a, b) => a - b);
const closed = (await measure(Math.min(count, 500), "c", false)).sort((a, b) => a - b);
sender.terminal?.write("exit\r");
receiver.terminal?.write("exit\r");
await Promise.all([sender.exited, receiver.exited]);

const kafkaTopic = uniqueName("bench-e2e-kafka");
const tool = spawnSync(
  join(repoRoot, "scripts", "kafka"),
  [
    "tool",
    "org.apache.kafka.tools.EndToEndLatency",
    "--bootstrap-server",
    brokers,
    "--topic",
    kafkaTopic,
    "--num-records",
    String(count),
    "--producer-acks",
    "all",
    "--record-size",
    "100",
  ],
  { encoding: "utf8" },
);
const line = /Percentiles: 50th = ([\d.]+), 99th = ([\d.]+), 99.9th = ([\d.]+)/.exec(tool.stdout);
const avg = /Avg latency: ([\d.]+) ms/.exec(tool.stdout);

const admin = connectKafka({ brokers: [brokers], clientId: "dchat-bench", ssl: false }).admin();
await admin.connect();
await admin.deleteTopics({ topics: [room, kafkaTopic] }).catch(() => {});
await admin.disconnect();

const fmt = (ms: number) => ms.toFixed(2);
const ourAvg = ours.reduce((a, b) => a + b, 0) / ours.length;
console.log(
  `chat-latency: ${count} messages, typed in one dchat chat client → drawn by another (${chatCommandLine().join(" ")})`,
);
console.log(
  `  dchat chat, 16-32 ms between messages  avg ${fmt(ourAvg)} ms  p50 ${fmt(percentile(ours, 50))} ms  p99 ${fmt(percentile(ours, 99))} ms  p99.9 ${fmt(percentile(ours, 99.9))} ms  max ${fmt(ours.at(-1) ?? 0)} ms`,
);
const closedAvg = closed.reduce((a, b) => a + b, 0) / closed.length;
console.log(
  `  dchat chat, closed loop (${closed.length} msgs; frame-capped)  avg ${fmt(closedAvg)} ms  p50 ${fmt(percentile(closed, 50))} ms  p99 ${fmt(percentile(closed, 99))} ms`,
);
if (line && avg) {
  const [p50, p99, p999] = [Number(line[1]), Number(line[2]), Number(line[3])];
  console.log(
    `  Kafka EndToEndLatency (acks=all, 100 B)  avg ${avg[1]} ms  p50 ${p50} ms  p99 ${p99} ms  p99.9 ${p999} ms (whole ms)`,
  );
  console.log(
    `  ratio p99 dchat/Kafka: ${p99 > 0 ? (percentile(ours, 99) / p99).toFixed(2) : "n/a (Kafka p99 rounds to 0 ms)"}  (goal ≤ 1.5)`,
  );
} else {
  console.log(`  Kafka EndToEndLatency failed:\n${tool.stdout}${tool.stderr}`);
}
