/**
 * `bun bench/stats/run.ts [DIR]` — `dchat audit stats` over an archive (default: the one
 * bench/audit leaves in .cache/bench/audit-archive): wall seconds and peak RSS, with and
 * without --json, and over the original Spark archive fixture for scale; beside it, DuckDB
 * computing the same counts in SQL over the same files (bench/stats/duckdb.ts) as reference.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../test/support/broker.ts";

const dir = process.argv[2] ?? join(repoRoot, ".cache", "bench", "audit-archive");
if (!existsSync(dir)) {
  console.error(`no archive at ${dir}: run bench/audit/run.ts first, or give a directory`);
  process.exit(2);
}
const entry = join(repoRoot, "main.ts");

function measure(label: string, args: string[], script: string[] = [entry, "audit", "stats"]): number {
  const started = performance.now();
  const proc = Bun.spawnSync(
    ["/usr/bin/time", "-f", "__peak_rss_kib=%M", process.execPath, ...script, ...args],
    {
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const stderr = proc.stderr.toString();
  if (proc.exitCode !== 0) throw new Error(`${label} failed: ${stderr}`);
  const rss = Number(/__peak_rss_kib=(\d+)/.exec(stderr)?.[1] ?? 0) / 1024;
  const out = proc.stdout.toString();
  const messages = /"messages":(\d+)/.exec(out)?.[1] ?? /^([\d,]+) messages/m.exec(out)?.[1] ?? "?";
  console.log(
    `${label.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s  ${`${rss.toFixed(0)} MB`.padStart(7)}  ${messages} messages`,
  );
  return seconds;
}

console.log(`bench/stats over ${dir}`);
const ours = measure("dchat audit stats (tables)", ["--dir", dir]);
measure("dchat audit stats --json --top 50", ["--dir", dir, "--json", "--top", "50"]);
measure("dchat audit stats --since/--until one day", [
  "--dir",
  dir,
  "--since",
  "2024-08-26",
  "--until",
  "2024-08-26",
  "--json",
]);
measure("original Spark archive fixture (104 rows)", [
  "--dir",
  join(repoRoot, "test", "fixtures", "seed-spark-audit"),
  "--json",
]);
const duckdb = measure(
  "DuckDB SQL, same three counts (reference)",
  [dir],
  [join(import.meta.dir, "duckdb.ts")],
);
console.log(`\ndchat audit stats takes ${(ours / duckdb).toFixed(2)}× DuckDB's time over the same files`);
