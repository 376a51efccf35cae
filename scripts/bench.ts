/**
 * `npm run bench [NAME...]`: builds dist/dchat, makes sure the local broker runs, then runs
 * bench/<name>/run.ts for each benchmark (all of them by default), one after another so they do not
 * compete for the two cores. Each prints its figures beside a reference tool's.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const benchDir = join(root, "bench");
const all = readdirSync(benchDir).filter((name) => existsSync(join(benchDir, name, "run.ts")));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`npm run bench: no benchmark ${unknown.join(", ")} (have: ${all.join(", ")})`);
  process.exit(2);
}

function run(command: string, args: string[]): number {
  return spawnSync(command, args, { cwd: root, stdio: "inherit" }).status ?? 1;
}

if (run(process.execPath, [join(root, "scripts", "build.ts")]) !== 0) process.exit(1);
if (run(join(root, "scripts", "kafka"), ["start"]) !== 0) process.exit(1);
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n━━ bench/${name}`);
  if (run(process.execPath, [join(benchDir, name, "run.ts")]) !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
