/**
 * `bun bench/report/run.ts [DIR]` — `dchat audit report` beside `dchat audit stats --json` (the
 * reference: the report is meant to cost what the statistics cost) over the same archive, the
 * compiled binary both times, runs interleaved; wall seconds, peak RSS and the report's size.
 * DIR defaults to the archive bench/audit leaves (.cache/bench/audit-archive), else a synthetic
 * 1,000,000-message archive of three rooms written once into .cache/bench/report-archive with
 * the audit's own file writer (no broker needed).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { commitBatch, pack } from "../../lib/audit/commit.ts";
import { encode } from "../../lib/wire.ts";
import { repoRoot } from "../../test/support/broker.ts";
import { dchatCommand } from "../../test/support/dchat.ts";

const MESSAGES = 1_000_000;
const BATCH = 50_000;

function syntheticArchive(dir: string): void {
  const seed = readFileSync(join(repoRoot, "test", "fixtures", "seed-chat", "messages.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { sender: string; message: string })
    .filter((r) => r.sender !== "[INFO]")
    .map((r) => r.message.trim());
  const words = [
    "회의",
    "배포",
    "점심",
    "리뷰",
    "hello",
    "deploy",
    "영화",
    "추천",
    "내일",
    "오늘",
    "ok",
    "네",
  ];
  const rooms = ["general", "팀2", "ops"];
  const building = `${dir}.building`;
  mkdirSync(building, { recursive: true });
  const start = Date.UTC(2024, 7, 26, 9, 0, 0);
  let n = 0;
  for (let batch = 0; n < MESSAGES; batch++) {
    const room = rooms[batch % rooms.length] as string;
    const records = [];
    for (let i = 0; i < BATCH && n < MESSAGES; i++, n++) {
      const at = new Date(start + n * 250).toISOString().slice(0, 23);
      const message = `${seed[n % seed.length]} ${words[n % words.length]} ${words[(n * 7) % words.length]}`;
      records.push({
        offset: i,
        timestampMs: start + n * 250,
        value: encode({ sender: `user${n % 200}`, message, end: false, timestamp: `${at}001` }),
      });
    }
    commitBatch({ out: building, room, topic: room, partition: batch, records: pack(records), stats: false });
  }
  renameSync(building, dir);
}

function measure(label: string, args: string[]): { seconds: number; rssMb: number } {
  const started = performance.now();
  const proc = Bun.spawnSync(["/usr/bin/time", "-f", "__peak_rss_kib=%M", ...dchatCommand(), ...args], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const seconds = (performance.now() - started) / 1000;
  const stderr = proc.stderr.toString();
  if (proc.exitCode !== 0) throw new Error(`${label} failed: ${stderr}`);
  return { seconds, rssMb: Number(/__peak_rss_kib=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024 };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const benchAudit = join(repoRoot, ".cache", "bench", "audit-archive");
const synthetic = join(repoRoot, ".cache", "bench", "report-archive");
const dir = process.argv[2] ?? (existsSync(benchAudit) ? benchAudit : synthetic);
if (dir === synthetic && !existsSync(synthetic)) {
  console.log(
    `writing a synthetic ${MESSAGES.toLocaleString("en-US")}-message archive into ${synthetic} (once)`,
  );
  syntheticArchive(synthetic);
}
const out = join(repoRoot, ".tmp", "bench-report.html");
console.log(`bench/report over ${dir}`);
const stats: { seconds: number; rssMb: number }[] = [];
const report: { seconds: number; rssMb: number }[] = [];
for (let run = 0; run < 3; run++) {
  stats.push(measure("stats", ["audit", "stats", "--dir", dir, "--json"]));
  report.push(measure("report", ["audit", "report", "--dir", dir, "--out", out]));
}
const line = (label: string, runs: { seconds: number; rssMb: number }[]) =>
  console.log(
    `${label.padEnd(40)} ${median(runs.map((r) => r.seconds))
      .toFixed(2)
      .padStart(6)} s  peak RSS ${median(runs.map((r) => r.rssMb)).toFixed(0)} MB`,
  );
line("dchat audit stats --json (reference)", stats);
line("dchat audit report", report);
const ratio = median(report.map((r) => r.seconds)) / median(stats.map((r) => r.seconds));
console.log(
  `\nthe report takes ${ratio.toFixed(2)}× the time of stats; report.html is ${(statSync(out).size / 1024 / 1024).toFixed(2)} MB`,
);
