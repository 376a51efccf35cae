/**
 * `bun bench/audit/run.ts [--records N]` — one `dchat audit` run over N (default 1,000,000) chat
 * records in a 3-partition room, side by side in the same invocation with the reference readers
 * of the same records on the same broker:
 *   - kcat -C -e to /dev/null (librdkafka: the floor a consumer can reach),
 *   - Kafka's own org.apache.kafka.tools.ConsumerPerformance,
 *   - the original's path: a kafka-python consumer decoding the JSON (PyPI, venv under .cache/).
 * Prints records/s, peak RSS and ratios, then where dchat's time goes (fetch, decode, encode,
 * write). The archive is left in .cache/bench/audit-archive for bench/stats; the topic is deleted.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { encode } from "../../lib/wire.ts";
import { brokerAddress, repoRoot } from "../../test/support/broker.ts";
import { breakdown } from "./breakdown.ts";

const { values } = parseArgs({ options: { records: { type: "string", default: "1000000" } } });
const N = Number(values.records);
const cache = join(repoRoot, ".cache", "bench");
const archive = join(cache, "audit-archive");
const venv = join(repoRoot, ".cache", "audit-bench-venv");
mkdirSync(cache, { recursive: true });

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
  rssMB: number;
  note?: string;
}

/** Runs `command` to completion; wall time, and its own peak RSS from GNU time (%M, KiB). */
function measure(name: string, command: string[]): Measured & { stdout: string } {
  const started = performance.now();
  const proc = Bun.spawnSync(["/usr/bin/time", "-f", "__peak_rss_kib=%M", ...command], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const seconds = (performance.now() - started) / 1000;
  const stderr = proc.stderr.toString();
  if (proc.exitCode !== 0) throw new Error(`${name} failed (${proc.exitCode}): ${stderr.slice(0, 2000)}`);
  const kib = Number(/__peak_rss_kib=(\d+)/.exec(stderr)?.[1] ?? 0);
  return { name, seconds, rssMB: kib / 1024, stdout: proc.stdout.toString() };
}

function kafkaTool(): string[] {
  return [join(repoRoot, "scripts", "kafka"), "tool"];
}

// --- the records -----------------------------------------------------------------------------
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
console.log(
  `bench/audit: ${N.toLocaleString("en-US")} records, 3 partitions, topic ${topic}, broker ${brokers}; ` +
    `${availableParallelism()} cores, load average ${load()}`,
);
const payloadFile = join(cache, `payload-${N}.txt`);
if (!existsSync(payloadFile)) writeFileSync(payloadFile, payloadLines(N));
{
  const { kafkaFor, createTopic } = await import("../../test/audit/support.ts");
  await createTopic(kafkaFor(brokers), topic, 3);
}
// Round-robin over the 3 partitions, as equal as a room's traffic would be.
const produced = measure("produce (kcat -P)", [
  "sh",
  "-c",
  `${[0, 1, 2]
    .map(
      (p) =>
        `awk 'NR % 3 == ${p}' ${payloadFile} | kcat -P -b ${brokers} -t ${topic} -p ${p} -X compression.codec=none -X linger.ms=50 -X batch.num.messages=10000`,
    )
    .join(" & ")} & wait`,
]);
const bytes = Bun.file(payloadFile).size - N;
console.log(
  `produced ${N.toLocaleString("en-US")} records (${(bytes / 1e6).toFixed(0)} MB of values, ${(bytes / N).toFixed(0)} B average) in ${produced.seconds.toFixed(1)} s`,
);

// --- readers -----------------------------------------------------------------------------------
const results: Measured[] = [];
function report(m: Measured): void {
  results.push(m);
  console.log(`  measured ${m.name}: ${m.seconds.toFixed(2)} s`);
}

const kcat = measure("kcat -C -e > /dev/null", [
  "sh",
  "-c",
  `kcat -C -b ${brokers} -t ${topic} -o beginning -e -q > /dev/null`,
]);
report(kcat);

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
const perfLine = perf.stdout.trim().split("\n").at(-1) ?? "";
const perfFields = perfLine.split(",").map((f) => f.trim());
// start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
perf.note = `tool's own figure: ${Number(perfFields[5]).toFixed(0)} records/s (${perfFields[9] ? `${Number(perfFields[9]).toFixed(0)} records/s fetching` : "n/a"}), JVM start included in the wall time`;
report(perf);

if (!existsSync(join(venv, "bin", "python"))) {
  spawnSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
  spawnSync(join(venv, "bin", "pip"), ["install", "-q", "kafka-python"], { stdio: "inherit" });
}
const python = `
import json, sys
from kafka import KafkaConsumer
n = int(sys.argv[3])
c = KafkaConsumer(sys.argv[2], bootstrap_servers=sys.argv[1], auto_offset_reset="earliest",
                  enable_auto_commit=False, group_id=None, consumer_timeout_ms=30000,
                  value_deserializer=lambda v: json.loads(v.decode("utf-8")))
count = 0
for record in c:
    count += 1
    if count >= n:
        break
assert count == n, count
`;
report(
  measure("kafka-python + json (original's path)", [
    join(venv, "bin", "python"),
    "-c",
    python,
    brokers,
    topic,
    String(N),
  ]),
);

rmSync(archive, { recursive: true, force: true });
const dchat = measure("dchat audit (one run)", [
  process.execPath,
  join(repoRoot, "test", "audit", "entry.ts"),
  "--out",
  archive,
  "--rooms",
  topic,
  "--brokers",
  brokers,
  "--top",
  "5",
]);
dchat.note = "includes the run summary's statistics (Intl.Segmenter over every message)";
report(dchat);
const dchatNoStats = (() => {
  rmSync(`${archive}-nostats`, { recursive: true, force: true });
  const m = measure("dchat audit --no-stats", [
    process.execPath,
    join(repoRoot, "test", "audit", "entry.ts"),
    "--out",
    `${archive}-nostats`,
    "--rooms",
    topic,
    "--brokers",
    brokers,
    "--no-stats",
  ]);
  rmSync(`${archive}-nostats`, { recursive: true, force: true });
  return m;
})();
report(dchatNoStats);

// --- report ------------------------------------------------------------------------------------
const rate = (m: Measured) => N / m.seconds;
const original = results[2] as Measured;
console.log("");
console.log(
  `${"reader".padEnd(40)} ${"seconds".padStart(8)} ${"records/s".padStart(11)} ${"peak RSS".padStart(9)}`,
);
for (const m of results) {
  console.log(
    `${m.name.padEnd(40)} ${m.seconds.toFixed(2).padStart(8)} ${Math.round(rate(m)).toLocaleString("en-US").padStart(11)} ${`${m.rssMB.toFixed(0)} MB`.padStart(9)}${m.note ? `   (${m.note})` : ""}`,
  );
}
console.log("");
for (const m of [dchat, dchatNoStats]) {
  console.log(
    `${m.name}: ${(rate(m) / rate(original)).toFixed(2)}× the original's path, ${(rate(m) / rate(kcat)).toFixed(2)}× kcat, ${(rate(m) / rate(perf)).toFixed(2)}× ConsumerPerformance (wall time)`,
  );
}
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
