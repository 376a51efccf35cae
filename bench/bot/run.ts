/**
 * bench/bot: `dchat bot` on the local broker in two phases — under load (N questions per second
 * spread over 10 rooms for D seconds) and nearly idle (1 question per second, where a question
 * waits for nothing but its own transaction) — reporting answers/s, question → answer latency
 * (p50/p99/max, as a read_committed reader sees it), the bot's peak RSS and how many cores the
 * bot, the local broker and this benchmark kept busy; beside it, the
 * broker's raw produce → consume latency floor for a record of the same size from Kafka's own
 * EndToEndLatency tool. Then the same phases through the reference, Kafka's own exactly-once
 * consume → produce loop (copier.ts), read the same way, and the bot's figures as ratios of
 * its. Then the lookup micro-benchmark (lookup.ts).
 *
 * A warm-up at the load's rate comes first and is printed apart: on a broker started moments
 * before (as `npm run bench` may), the JVM's JIT compilers take most of a core for a minute and
 * the first phase's tail measured that, not the bot (p99 2.6 s cold against 0.3–0.4 s warm, same build).
 *
 *   bun bench/bot/run.ts [--rate 1000] [--seconds 20] [--low-rate 1] [--low-seconds 20] [--warmup 15] [--brokers host:port]
 *                        [--bot-log-level debug] [--bot-log FILE] [--no-lookup]   ($DCHAT_BIN: the dchat to run)
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { KafkaMessage } from "kafkajs";
import { REPLY_TO_HEADER } from "../../lib/bot/run.ts";
import { ensureTopic, kafkajsOf, openKafka } from "../../lib/kafka/index.ts";
import { encode, textRecord } from "../../lib/wire.ts";
import { brokerAddress, repoRoot, uniqueName } from "../../test/support/broker.ts";
import { binary } from "../../test/support/dchat.ts";
import { startCopier } from "./copier.ts";
import { lookupBench } from "./lookup.ts";

const { values } = parseArgs({
  options: {
    rate: { type: "string" },
    seconds: { type: "string" },
    "low-rate": { type: "string" },
    "low-seconds": { type: "string" },
    warmup: { type: "string" },
    brokers: { type: "string" },
    "bot-log-level": { type: "string" },
    "bot-log": { type: "string" },
    "no-lookup": { type: "boolean" },
  },
});
const rate = Number(values.rate ?? 1000);
const seconds = Number(values.seconds ?? 20);
const lowRate = Number(values["low-rate"] ?? 1);
const lowSeconds = Number(values["low-seconds"] ?? 20);
const warmupSeconds = Number(values.warmup ?? 15);
const brokers = values.brokers ?? (await brokerAddress());
const ROOMS = 10;
const TICK_MS = 10;
const question = "@bot 기생충 | 감독";
const recordSize = encode(textRecord("user-0000", question, new Date())).length;

const client = openKafka({ brokers: [brokers], clientId: "bench-bot", ssl: false });
// kafkajs itself for the benchmark's own producer, reader and topic settings.
const kafka = kafkajsOf(client);
const rooms = Array.from({ length: ROOMS }, () => uniqueName("bench-bot"));
// LogAppendTime: a question's Kafka timestamp is when the broker stored it, so the latency the
// bot logs starts there and leaves out any queueing inside this benchmark's own producer.
{
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: rooms.map((topic) => ({
      topic,
      numPartitions: 1,
      configEntries: [{ name: "message.timestamp.type", value: "LogAppendTime" }],
    })),
    waitForLeaders: true,
  });
  await admin.disconnect();
}

// $DCHAT_BIN picks another build of dchat (npm run bench builds dist/dchat first).
const built = process.env.DCHAT_BIN ?? binary;
const command = existsSync(built) ? [built] : [process.execPath, join(repoRoot, "main.ts")];
const bot = Bun.spawn(
  [
    ...command,
    "bot",
    "--brokers",
    brokers,
    "--rooms",
    rooms.join(","),
    "--group",
    uniqueName("bench-bot"),
    "--rate-limit",
    "off",
    ...(values["bot-log-level"] ? ["--log-level", values["bot-log-level"]] : []),
  ],
  { stdout: "pipe", stderr: "inherit", env: { ...process.env, HOME: join(repoRoot, ".tmp", "home") } },
);
let peakRssKb = 0;
/** A process's CPU time so far (user + system), in seconds, from /proc/<pid>/stat. */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
/**
 * The local broker's process (scripts/kafka's pid file), whose CPU is printed beside the bot's:
 * on a small machine the broker, the bot and this benchmark share the cores, and a phase whose
 * processes want them all measures queueing for CPU as much as the bot.
 */
const brokerPid = ((): number | undefined => {
  const [host, port] = brokers.split(":");
  const file = join(repoRoot, ".cache", "kafka", String(port), "node-1", "pid");
  if (host !== "127.0.0.1" || values.brokers !== undefined || !existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  return existsSync(`/proc/${pid}/stat`) ? pid : undefined;
})();
const benchCpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const sampleRss = () => {
  const status = readFileSync(`/proc/${bot.pid}/status`, "utf8");
  peakRssKb = Math.max(peakRssKb, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
};
const rssTimer = setInterval(() => {
  try {
    sampleRss();
  } catch {}
}, 250);

// The bot is ready once every room is assigned; its log says so. Its answer lines carry its own
// view of latency: question's Kafka timestamp → answer committed.
const ready = new Set<string>();
const botLog = values["bot-log"];
/** With --bot-log-level debug the bot reports each transaction: what it carried and how long it took. */
interface Transaction {
  batches: number;
  answers: number;
  ms: number;
  /** Where its time went (lib/kafka/transaction.ts TransactionSplit). */
  offsetsMs: number;
  recordsMs: number;
  commitMs: number;
  concurrentRetries: number;
}
/** What one phase collects; the log reader and the answer reader write into the current one. */
interface Phase {
  rate: number;
  seconds: number;
  latencies: number[];
  botLatencies: number[];
  /** Per answer: its latency less its own transaction's time (what it waited for before that began). */
  waits: number[];
  transactions: Transaction[];
  duplicates: number;
  answered: number;
}
const newPhase = (rate: number, seconds: number): Phase => ({
  rate,
  seconds,
  latencies: [],
  botLatencies: [],
  waits: [],
  transactions: [],
  duplicates: 0,
  answered: 0,
});
let current = newPhase(0, 0);
const reading = (async () => {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of bot.stdout) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    if (botLog !== undefined) appendFileSync(botLog, lines.map((line) => `${line}\n`).join(""));
    for (const line of lines) {
      const entry = JSON.parse(line) as { event: string; rooms?: string[]; latencyMs?: number };
      if (entry.event === "assigned") for (const room of entry.rooms ?? []) ready.add(room);
      if (entry.event === "answer" && entry.latencyMs !== undefined) {
        current.botLatencies.push(entry.latencyMs);
        // A transaction's answers are logged right after it (its own line comes first).
        const own = current.transactions.at(-1);
        if (own !== undefined) current.waits.push(entry.latencyMs - own.ms);
      }
      if (entry.event === "transaction") current.transactions.push(entry as unknown as Transaction);
    }
  }
})();
const readyBy = Date.now() + 60_000;
while (ready.size < ROOMS && Date.now() < readyBy) await Bun.sleep(50);
if (ready.size < ROOMS) {
  bot.kill("SIGKILL");
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: rooms });
  await admin.disconnect();
  throw new Error(`the bot did not take all ${ROOMS} rooms within 60 s`);
}

// Answers as a chat client sees them: read_committed, from now on. `keyOf` names the question
// an answer is for (undefined: not an answer), as `sentAt` holds it.
const sentAt = new Map<string, number>();
const seen = new Set<string>();
async function startReader(topics: string[], keyOf: (message: KafkaMessage) => string | undefined) {
  const consumer = kafka.consumer({
    groupId: uniqueName("bench-bot-reader"),
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = keyOf(message);
      if (key === undefined) return;
      if (seen.has(key)) current.duplicates++;
      else current.answered++;
      seen.add(key);
      const started = sentAt.get(key);
      if (started !== undefined) current.latencies.push(performance.now() - started);
    },
  });
  await Bun.sleep(2000);
  return consumer;
}
const reader = await startReader(rooms, (message) => message.headers?.[REPLY_TO_HEADER]?.toString());

const producer = kafka.producer();
await producer.connect();
let sentTotal = 0;

function percentiles(values: number[]): (p: number) => number {
  const sorted = [...values].sort((a, b) => a - b);
  return (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Where a phase's questions go, and whose CPU is counted: the bot, or the reference copier. */
interface Target {
  name: string;
  /** What the questions are spread over. */
  spreadOver: string;
  pid: number;
  /**
   * Sends questions number `first`, `first + 1`, …; resolves once the broker has them, each
   * keyed in `sentAt` as its reader will find its answer.
   */
  send(values: Buffer[], first: number, started: number): Promise<void>;
}

const botTarget: Target = {
  name: "bot",
  spreadOver: "rooms",
  pid: bot.pid,
  async send(values, first, started) {
    const roomOf = (i: number) => rooms[(first + i) % ROOMS] as string;
    const metadata = await producer.sendBatch({
      topicMessages: rooms
        .map((room) => ({
          topic: room,
          messages: values.filter((_, i) => roomOf(i) === room).map((value) => ({ value })),
        }))
        .filter((t) => t.messages.length > 0),
    });
    // An answer names its question by room, partition and offset (its reply-to header).
    for (const m of metadata) {
      const count = values.filter((_, i) => roomOf(i) === m.topicName).length;
      for (let i = 0; i < count; i++)
        sentAt.set(`${m.topicName}/${m.partition}/${BigInt(m.baseOffset ?? "0") + BigInt(i)}`, started);
    }
  },
};

/** Sends `rate` questions a second for `seconds`, waits for their answers, prints the phase. */
async function runPhase(rate: number, seconds: number, label: string, target: Target): Promise<Phase> {
  const phase = newPhase(rate, seconds);
  current = phase;
  const tickMs = Math.max(TICK_MS, Math.min(1000, 1000 / rate));
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const total = Math.round(rate * seconds);
  let sent = 0;
  const began = performance.now();
  const cpuAtStart = cpuSeconds(target.pid);
  const brokerCpuAtStart = brokerPid === undefined ? 0 : cpuSeconds(brokerPid);
  const benchCpuAtStart = benchCpuSeconds();
  const inFlight: Promise<void>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - began) / 1000) * rate) + perTick);
    if (due > sent) {
      const first = sentTotal;
      const values: Buffer[] = [];
      for (; sent < due; sent++, sentTotal++) {
        const record = textRecord(`user-${String(sentTotal % 5000).padStart(4, "0")}`, question, new Date());
        values.push(encode(record));
      }
      inFlight.push(target.send(values, first, performance.now()));
    }
    await Bun.sleep(tickMs);
  }
  await Promise.all(inFlight);
  const sendSeconds = (performance.now() - began) / 1000;
  const drainBy = Date.now() + 30_000;
  while (phase.answered < total && Date.now() < drainBy) await Bun.sleep(20);
  const answerSeconds = (performance.now() - began) / 1000;
  const ownCpu = cpuSeconds(target.pid) - cpuAtStart;
  const brokerCpu = brokerPid === undefined ? undefined : cpuSeconds(brokerPid) - brokerCpuAtStart;
  const benchCpu = benchCpuSeconds() - benchCpuAtStart;
  const pct = percentiles(phase.latencies);
  const botPct = percentiles(phase.botLatencies);
  console.log(
    `${label}: ${total} questions over ${ROOMS} ${target.spreadOver} at ${rate}/s for ${seconds} s (record ${recordSize} B)`,
  );
  console.log(
    `  sent in ${sendSeconds.toFixed(1)} s; answered ${phase.answered} (${phase.duplicates} duplicates) by ${answerSeconds.toFixed(1)} s → ${(phase.answered / answerSeconds).toFixed(0)} answers/s`,
  );
  console.log(
    `  question sent → answer read ms (read_committed reader): p50 ${pct(50).toFixed(1)}  p90 ${pct(90).toFixed(1)}  p99 ${pct(99).toFixed(1)}  max ${pct(100).toFixed(1)}`,
  );
  if (phase.botLatencies.length > 0)
    console.log(
      `  broker append → answer committed ms (bot log): p50 ${botPct(50).toFixed(0)}  p90 ${botPct(90).toFixed(0)}  p99 ${botPct(99).toFixed(0)}  max ${botPct(100).toFixed(0)}`,
    );
  console.log(
    `  ${target.name} CPU ${ownCpu.toFixed(1)} s in ${answerSeconds.toFixed(1)} s (${((100 * ownCpu) / answerSeconds).toFixed(0)}% of one core); machine load average ${loadavg()[0]?.toFixed(1)}`,
  );
  const cores = (cpu: number) => (cpu / answerSeconds).toFixed(2);
  console.log(
    `  cores busy: ${target.name} ${cores(ownCpu)}, broker ${brokerCpu === undefined ? "(not local)" : cores(brokerCpu)}, this benchmark ${cores(benchCpu)}; ${cores(ownCpu + (brokerCpu ?? 0) + benchCpu)} of the machine's ${availableParallelism()}`,
  );
  if (phase.transactions.length > 0) {
    const ms = percentiles(phase.transactions.map((t) => t.ms));
    const answers = phase.transactions.reduce((sum, t) => sum + t.answers, 0);
    console.log(
      `  ${phase.transactions.length} transactions, ${(answers / phase.transactions.length).toFixed(1)} answers each; commit ms p50 ${ms(50)} p99 ${ms(99)} max ${ms(100)}`,
    );
    const split = (key: "offsetsMs" | "recordsMs" | "commitMs") => {
      const pct = percentiles(phase.transactions.map((t) => t[key]));
      return `${pct(50).toFixed(1)} / ${pct(99).toFixed(1)}`;
    };
    const refusals = phase.transactions.reduce((sum, t) => sum + t.concurrentRetries, 0);
    console.log(
      `  split ms p50 / p99: offsets (previous markers waited out, AddOffsets, TxnOffsetCommit) ${split("offsetsMs")}; records (AddPartitions, Produce) ${split("recordsMs")}; EndTxn ${split("commitMs")}; ${(refusals / phase.transactions.length).toFixed(2)} CONCURRENT_TRANSACTIONS refusals each`,
    );
    const wait = percentiles(phase.waits);
    console.log(
      `  an answer's wait before its own transaction began (bot log latency less that transaction's ms): p50 ${wait(50).toFixed(0)}  p99 ${wait(99).toFixed(0)}`,
    );
  }
  return phase;
}

if (warmupSeconds > 0) await runPhase(rate, warmupSeconds, "warm-up (not counted)", botTarget);
const loaded = await runPhase(rate, seconds, "bot", botTarget);
const quiet = await runPhase(lowRate, lowSeconds, "bot", botTarget);
clearInterval(rssTimer);
console.log(`  bot peak RSS ${(peakRssKb / 1024).toFixed(0)} MiB over all phases`);

bot.kill("SIGTERM");
await bot.exited;
await reading;
await reader.disconnect();

// The same phases through Kafka's own transactional copier (copier.ts), read the same way.
console.log("");
const copier = await startCopier(
  kafka,
  brokers,
  ROOMS,
  Math.round(rate * (warmupSeconds + seconds) + lowRate * lowSeconds),
);
// A copy is its question's bytes, which are unique (sender number and time).
const copyReader = await startReader([copier.output], (message) => message.value?.toString());
const copierTarget: Target = {
  name: "copier",
  spreadOver: "partitions",
  pid: copier.pid,
  async send(values, first, started) {
    for (const value of values) sentAt.set(value.toString(), started);
    await producer.send({
      topic: copier.input,
      messages: values.map((value, i) => ({ partition: (first + i) % ROOMS, value })),
    });
  },
};
const COPIER = "Kafka TransactionalMessageCopier";
if (warmupSeconds > 0) await runPhase(rate, warmupSeconds, `${COPIER} warm-up (not counted)`, copierTarget);
const copierLoaded = await runPhase(rate, seconds, COPIER, copierTarget);
const copierQuiet = await runPhase(lowRate, lowSeconds, COPIER, copierTarget);
await copyReader.disconnect();
await copier.stop();
await producer.disconnect();
const admin = kafka.admin();
await admin.connect();
await admin.deleteTopics({ topics: rooms });
await admin.disconnect();

// The floor: one record produced (acks=all) and consumed, one at a time, by Kafka's own tool.
const floorTopic = uniqueName("bench-bot-e2e");
await ensureTopic(client, floorTopic, 1);
const e2e = spawnSync(
  join(repoRoot, "scripts", "kafka"),
  [
    "tool",
    "org.apache.kafka.tools.EndToEndLatency",
    "--bootstrap-server",
    brokers,
    "--topic",
    floorTopic,
    "--num-records",
    "2000",
    "--producer-acks",
    "all",
    "--record-size",
    String(recordSize),
  ],
  { encoding: "utf8" },
);
const floor = `${e2e.stdout}${e2e.stderr}`;
const p50 = /50th = ([\d.]+)/i.exec(floor)?.[1];
const p99 = /99th = ([\d.]+)/i.exec(floor)?.[1];
const avg = /Avg latency: ([\d.]+)/i.exec(floor)?.[1];
console.log(
  `floor (Kafka EndToEndLatency, ${recordSize} B, acks=all): avg ${avg} ms  p50 ${p50} ms  p99 ${p99} ms`,
);
if (p50 === undefined) console.log(floor.split("\n").slice(-5).join("\n"));
else {
  const high = percentiles(loaded.latencies);
  const low = percentiles(quiet.latencies);
  console.log(
    `  ratios: at ${rate}/s bot p99 / floor p99 ${(high(99) / Number(p99)).toFixed(1)}×; at ${lowRate}/s bot p50 / floor p50 ${(low(50) / Number(p50)).toFixed(1)}×`,
  );
}
{
  const [high, low] = [percentiles(loaded.latencies), percentiles(quiet.latencies)];
  const [copyHigh, copyLow] = [percentiles(copierLoaded.latencies), percentiles(copierQuiet.latencies)];
  console.log(
    `bot against ${COPIER}: at ${rate}/s p99 ${high(99).toFixed(1)} / ${copyHigh(99).toFixed(1)} ms (${(high(99) / copyHigh(99)).toFixed(2)}×), p50 ${high(50).toFixed(1)} / ${copyHigh(50).toFixed(1)} ms; at ${lowRate}/s p50 ${low(50).toFixed(1)} / ${copyLow(50).toFixed(1)} ms (${(low(50) / copyLow(50)).toFixed(2)}×)`,
  );
}
const admin2 = kafka.admin();
await admin2.connect();
await admin2.deleteTopics({ topics: [floorTopic] });
await admin2.disconnect();

if (!values["no-lookup"]) {
  console.log("");
  await lookupBench();
}
