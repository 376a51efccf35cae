/**
 * `bun bench/audit/run.ts [--records N] [--runs R]` — `dchat audit` (the compiled dist/dchat, built
 * first) over N (default 1,000,000) chat records in a 3-partition room, side by side in the same
 * invocation with reference readers of the same records on the same broker, R rounds (default 1):
 *   - Kafka's own org.apache.kafka.tools.ConsumerPerformance (the goal: dchat archives in no more
 *     wall time than it takes to merely read),
 *   - librdkafka through confluent-kafka (the floor a consumer can reach; kcat's engine),
 *   - the original's path: kafka-python 2.0.2 decoding the JSON (both from .cache/py, pinned in
 *     test/requirements.txt).
 * Prints the machine (CPU, cores, load), records/s, peak RSS and ratios, then where dchat's time
 * goes. The archive is left in .cache/bench/audit-archive for bench/stats; the topic is deleted.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { encode } from "../../lib/wire.ts";
import { brokerAddress, repoRoot } from "../../test/support/broker.ts";
import { breakdown } from "./breakdown.ts";

const { values } = parseArgs({
  options: { records: { type: "string", default: "1000000" }, runs: { type: "string", default: "1" } },
});
const N = Number(values.records);
const RUNS = Number(values.runs);
const cache = join(repoRoot, ".cache", "bench");
const archive = join(cache, "audit-archive");
const python = join(repoRoot, ".cache", "py", "bin", "python");
if (!existsSync(python)) throw new Error(`${python} is missing: run npm test once (it installs .cache/py)`);
mkdirSync(cache, { recursive: true });
const built = spawnSync(process.execPath, [join(repoRoot, "scripts", "build.ts")], { encoding: "utf8" });
if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
const binary = join(repoRoot, "dist", "dchat");

const brokers = await brokerAddress();
const topic = `bench-audit-${crypto.randomUUID().slice(0, 8)}`;
const SENDERS = ["민수", "지현", "kyuseok", "say", "joo", "user1", "[bot]", "[INFO]"];
const WORDS = [
  "안녕하세요",
  "오늘",
  "회의",
  "몇 시에",
  "시작해요?",
  "hello",
  "meeting",
  "at",
  "5",
  "ㅋㅋㅋ",
  "@봇",
  "기생충",
  "|",
  "감독",
  "좋아요",
  "let's",
  "go",
];

/** Realistic chat lines: 1-25 words, Hangul and Latin mixed, some joins and leaves. */
function payloadLines(count: number): string {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const lines: string[] = [];
  const base = Date.UTC(2024, 7, 26, 9, 0, 0);
  for (let i = 0; i < count; i++) {
    const sender = SENDERS[Math.floor(random() * SENDERS.length)] as string;
    const length = 1 + Math.floor(random() ** 2 * 25);
    const message = Array.from({ length }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ");
    const time = new Date(base + i * 900)
      .toISOString()
      .replace("Z", "")
      .replace(/\.(\d{3})$/, ".$1123");
    lines.push(encode({ sender, message, end: random() < 0.01, timestamp: time }).toString("latin1"));
  }
  return `${lines.join("\n")}\n`;
}

interface Measured {
  name: string;
  seconds: number;
  /** User and system CPU time: on a shared machine the steadier figure. */
  cpuSeconds: number;
  rssMB: number;
  note?: string;
}

/** Runs `command` to completion; wall time, and its own CPU time and peak RSS from GNU time. */
function measure(name: string, command: string[]): Measured & { stdout: string } {
  const started = performance.now();
  const proc = Bun.spawnSync(["/usr/bin/time", "-f", "__peak_rss_kib=%M cpu=%U+%S", ...command], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const seconds = (performance.now() - started) / 1000;
  const stderr = proc.stderr.toString();
  if (proc.exitCode !== 0) throw new Error(`${name} failed (${proc.exitCode}): ${stderr.slice(0, 2000)}`);
  const [, kib, user, system] = /__peak_rss_kib=(\d+) cpu=([\d.]+)\+([\d.]+)/.exec(stderr) ?? [];
  return {
    name,
    seconds,
    cpuSeconds: Number(user) + Number(system),
    rssMB: Number(kib) / 1024,
    stdout: proc.stdout.toString(),
  };
}

function kafkaTool(): string[] {
  return [join(repoRoot, "scripts", "kafka"), "tool"];
}

// --- the records -----------------------------------------------------------------------------
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
console.log(
  `machine: ${cpu}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${load()} ` +
    "(the broker and anything else running share these cores)",
);
console.log(
  `bench/audit: ${N.toLocaleString("en-US")} records, 3 partitions, topic ${topic}, broker ${brokers}, ${RUNS} round(s)`,
);
const payloadFile = join(cache, `payload-${N}.txt`);
if (!existsSync(payloadFile)) writeFileSync(payloadFile, payloadLines(N));
{
  const { kafkaFor, createTopic } = await import("../../test/audit/support.ts");
  await createTopic(kafkaFor(brokers), topic, 3);
}
// Round-robin over the 3 partitions, as equal as a room's traffic would be.
const produced = measure("produce (confluent-kafka)", [
  "sh",
  "-c",
  `'${python}' '${join(import.meta.dir, "produce.py")}' ${brokers} ${topic} 3 < '${payloadFile}'`,
]);
const bytes = Bun.file(payloadFile).size - N;
console.log(
  `produced ${N.toLocaleString("en-US")} records (${(bytes / 1e6).toFixed(0)} MB of values, ${(bytes / N).toFixed(0)} B average) in ${produced.seconds.toFixed(1)} s`,
);

// --- readers -----------------------------------------------------------------------------------
function consumerPerformance(): Measured {
  const perf = measure("Kafka ConsumerPerformance", [
    ...kafkaTool(),
    "org.apache.kafka.tools.ConsumerPerformance",
    "--bootstrap-server",
    brokers,
    "--topic",
    topic,
    "--num-records",
    String(N),
    "--timeout",
    "60000",
  ]);
  const fields = (perf.stdout.trim().split("\n").at(-1) ?? "").split(",").map((f) => f.trim());
  // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  perf.note = `own figure ${Number(fields[5]).toFixed(0)} rec/s, ${Number(fields[9]).toFixed(0)} fetching; JVM start included`;
  return perf;
}

function dchatAudit(name: string, out: string, flags: string[]): Measured {
  rmSync(out, { recursive: true, force: true });
  return measure(name, [binary, "audit", "--out", out, "--rooms", topic, "--brokers", brokers, ...flags]);
}

const rate = (m: Measured) => N / m.seconds;
const summary: string[] = [];
for (let round = 1; round <= RUNS; round++) {
  const loadBefore = load();
  const perf = consumerPerformance();
  const floor = measure("librdkafka (confluent-kafka), dropped", [
    python,
    join(import.meta.dir, "librdkafka_consume.py"),
    brokers,
    topic,
    String(N),
  ]);
  const original = measure("kafka-python 2.0.2 + json (original's)", [
    python,
    join(import.meta.dir, "original.py"),
    brokers,
    topic,
    String(N),
  ]);
  const dchat = dchatAudit("dchat audit (statistics on)", archive, ["--top", "5"]);
  const noStats = dchatAudit("dchat audit --no-stats", `${archive}-nostats`, ["--no-stats"]);
  rmSync(`${archive}-nostats`, { recursive: true, force: true });

  console.log(`\nround ${round} of ${RUNS} (load average before ${loadBefore}, after ${load()})`);
  console.log(
    `${"reader".padEnd(40)} ${"seconds".padStart(8)} ${"records/s".padStart(11)} ${"CPU s".padStart(7)} ${"peak RSS".padStart(9)}`,
  );
  for (const m of [perf, floor, original, dchat, noStats]) {
    console.log(
      `${m.name.padEnd(40)} ${m.seconds.toFixed(2).padStart(8)} ${Math.round(rate(m)).toLocaleString("en-US").padStart(11)} ${m.cpuSeconds.toFixed(2).padStart(7)} ${`${m.rssMB.toFixed(0)} MB`.padStart(9)}${m.note ? `   (${m.note})` : ""}`,
    );
  }
  for (const m of [dchat, noStats]) {
    const line =
      `${m.name}: ${(perf.seconds / m.seconds).toFixed(2)}× ConsumerPerformance (wall time), ` +
      `${(rate(m) / rate(original)).toFixed(1)}× the original's path, ${(rate(m) / rate(floor)).toFixed(2)}× librdkafka, ` +
      `peak RSS ${m.rssMB.toFixed(0)} MB`;
    console.log(line);
    if (m === dchat) summary.push(`round ${round} (load ${loadBefore}): ${line}`);
  }
}
if (RUNS > 1) console.log(`\n${summary.join("\n")}`);

console.log("");
console.log(await breakdown({ payloadFile, sample: 100_000, brokers, topic, records: N }));
{
  const { kafkaFor } = await import("../../test/audit/support.ts");
  const admin = kafkaFor(brokers).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
}
console.log(`\nload average at the end: ${load()} (other processes share these cores)`);
console.log(`\narchive left in ${archive} for bench/stats; topic ${topic} deleted`);
