/**
 * bench/send: how fast `dchat send` puts chat records onto a topic, beside the reference
 * producers on the same broker in the same run — librdkafka (confluent-kafka from PyPI, the
 * engine inside kcat; its figures include the Python interpreter's start) and Kafka's own
 * ProducerPerformance — all with acks=all. Two figures: bulk (N stdin lines, one process) and a
 * single message (what a cron reminder costs: process start, connect, acknowledged send).
 *
 *   bun bench/send/run.ts [--records N] [--brokers host:port]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureTopic, openKafka } from "../../lib/kafka/index.ts";
import { encode, textRecord } from "../../lib/wire.ts";
import { brokerAddress, repoRoot, uniqueName } from "../../test/support/broker.ts";
import { binary } from "../../test/support/dchat.ts";

const { values } = parseArgs({ options: { records: { type: "string" }, brokers: { type: "string" } } });
const records = Number(values.records ?? 200_000);
const brokers = values.brokers ?? (await brokerAddress());
const kafka = openKafka({ brokers: [brokers], clientId: "bench-send", ssl: false });
const dir = mkdtempSync(join(tmpdir(), "dchat-bench-send-"));

const samples = [
  "ㅋㅋㅋ 진짜?",
  "오늘 회의 몇 시에 해요?",
  "ok, pushing the fix now",
  "@bot 기생충 | 감독",
  "점심 뭐 먹을래 🍜",
];
const texts = Array.from({ length: records }, (_, i) => `${samples[i % samples.length]} #${i}`);
const textFile = join(dir, "texts.txt");
writeFileSync(textFile, `${texts.join("\n")}\n`);
const jsonFile = join(dir, "records.jsonl");
const now = new Date();
writeFileSync(jsonFile, `${texts.map((t) => encode(textRecord("bench", t, now)).toString()).join("\n")}\n`);

async function freshTopic(name: string): Promise<string> {
  const topic = uniqueName(name);
  await ensureTopic(kafka, topic, 1);
  return topic;
}

function timed(command: string[], stdinFile?: string): number {
  const started = performance.now();
  const result = spawnSync(command[0] ?? "", command.slice(1), {
    stdio: [stdinFile ? openSync(stdinFile, "r") : "ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command.join(" ")} failed: ${result.stderr}`);
  return seconds;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const dchat = [binary, "send", "--brokers", brokers, "--user", "bench", "--room"];
const python = join(repoRoot, ".cache", "py", "bin", "python");
if (!(await Bun.file(python).exists()))
  throw new Error(`${python} is missing: run npm test once (it installs .cache/py)`);
const librdkafka = [python, join(import.meta.dir, "librdkafka_produce.py"), brokers];

const bulk = {
  dchat: timed([...dchat, await freshTopic("bench-send-dchat")], textFile),
  librdkafka: timed([...librdkafka, await freshTopic("bench-send-librdkafka")], jsonFile),
  perf: timed([
    join(repoRoot, "scripts", "kafka"),
    "tool",
    "org.apache.kafka.tools.ProducerPerformance",
    "--bootstrap-server",
    brokers,
    "--topic",
    await freshTopic("bench-send-perf"),
    "--num-records",
    String(records),
    "--throughput",
    "-1",
    "--payload-file",
    jsonFile,
    "--command-property",
    "acks=all",
  ]),
};

const singleRuns = 7;
const single = { dchat: [] as number[], librdkafka: [] as number[] };
const singleTopic = await freshTopic("bench-send-single");
const oneFile = join(dir, "one.jsonl");
writeFileSync(oneFile, `${encode(textRecord("[bot]", "미팅시간 5분 전입니다", now)).toString()}\n`);
for (let i = 0; i < singleRuns; i++) {
  single.dchat.push(timed([...dchat, singleTopic, "미팅시간 5분 전입니다"]));
  single.librdkafka.push(timed([...librdkafka, singleTopic], oneFile));
}

const rate = (s: number) => Math.round(records / s);
console.log(
  `bench/send — ${records} chat records (${(Bun.file(jsonFile).size / records).toFixed(0)} B avg), broker ${brokers}, acks=all`,
);
console.log("bulk, one process, records/s (includes process start and connect):");
console.log(`  dchat send (stdin lines)      ${rate(bulk.dchat).toString().padStart(9)}`);
console.log(
  `  librdkafka (confluent-kafka)  ${rate(bulk.librdkafka).toString().padStart(9)}   dchat/librdkafka ${(bulk.librdkafka / bulk.dchat).toFixed(2)}`,
);
console.log(
  `  Kafka ProducerPerformance     ${rate(bulk.perf).toString().padStart(9)}   dchat/perf ${(bulk.perf / bulk.dchat).toFixed(2)}  (JVM start included)`,
);
console.log(`single message, median of ${singleRuns}, ms from exec to acknowledged exit:`);
const d = median(single.dchat) * 1000;
const k = median(single.librdkafka) * 1000;
console.log(
  `  dchat send ${d.toFixed(0)} ms, librdkafka (Python start included) ${k.toFixed(0)} ms, ratio ${(d / k).toFixed(2)}`,
);
process.exit(0);
