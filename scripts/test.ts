/**
 * `npm test`: everything CI checks, in the order that fails fastest — types, lint, the compiled
 * binary (end-to-end tests run it), a real Kafka broker (started here when none is running, and
 * stopped again afterwards unless --keep-broker), then `bun test`. Extra arguments go to bun test.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const bin = join(root, "node_modules", ".bin");
const args = process.argv.slice(2);
const keepBroker = args.includes("--keep-broker");
const testArgs = args.filter((a) => a !== "--keep-broker");

function step(title: string, command: string, commandArgs: string[]): number {
  console.log(`\n▶ ${title}`);
  const started = performance.now();
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit" });
  const status = result.status ?? 1;
  console.log(
    `${status === 0 ? "✔" : "✘"} ${title} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  return status;
}

const external = process.env.DCHAT_TEST_BROKERS;
const kafka = join(root, "scripts", "kafka");
const brokerWasRunning =
  external !== undefined || spawnSync(kafka, ["status"], { stdio: "ignore" }).status === 0;

let status =
  step("type check", join(bin, "tsc"), ["--noEmit", "-p", root]) ||
  step("lint and format", join(bin, "biome"), ["ci", "."]) ||
  step("build dist/dchat", process.execPath, [join(root, "scripts", "build.ts")]) ||
  (brokerWasRunning ? 0 : step("start Kafka", kafka, ["start"])) ||
  step("tests", process.execPath, ["test", "--timeout", "60000", ...testArgs]);

if (!brokerWasRunning && !keepBroker) status = step("stop Kafka", kafka, ["stop"]) || status;
process.exit(status);
