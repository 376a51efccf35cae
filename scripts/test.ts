/**
 * `npm test`: everything CI checks, in the order that fails fastest — types, lint, the compiled
 * binary (end-to-end tests run it), the Python packages the tests read and write Kafka and the
 * archive with (installed once, pinned, into .cache/py), a real Kafka broker (started here when
 * none is running, and stopped again afterwards unless --keep-broker), then `bun test`. Extra
 * arguments go to bun test. The last lines say how many tests were skipped, and why.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const bin = join(root, "node_modules", ".bin");
const args = process.argv.slice(2);
const keepBroker = args.includes("--keep-broker");
const testArgs = args.filter((a) => a !== "--keep-broker");
const venv = join(root, ".cache", "py");
const requirements = join(root, "test", "requirements.txt");
const skipLog = join(root, ".tmp", "skips.log");

function step(title: string, command: string, commandArgs: string[], env?: NodeJS.ProcessEnv): number {
  console.log(`\n▶ ${title}`);
  const started = performance.now();
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit", env: env ?? process.env });
  const status = result.status ?? 1;
  console.log(`${status === 0 ? "✔" : "✘"} ${title} (${seconds(started)} s)`);
  return status;
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

/** The venv is reused while test/requirements.txt is unchanged (its copy in the venv is the stamp). */
function pythonPackages(): number {
  const stamp = join(venv, "requirements.txt");
  const wanted = readFileSync(requirements, "utf8");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) return 0;
  const version = spawnSync("python3", ["-c", "import sys; print(sys.version_info >= (3, 10))"], {
    encoding: "utf8",
  });
  if (version.error || version.stdout.trim() !== "True") {
    console.error("✘ Python 3.10+ (python3, with venv) is needed: the tests use Kafka clients from PyPI");
    return 1;
  }
  const pipEnv = {
    ...process.env,
    PIP_CACHE_DIR: join(root, ".cache", "pip"),
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
  };
  const status =
    (existsSync(join(venv, "bin", "pip")) ? 0 : step("create .cache/py", "python3", ["-m", "venv", venv])) ||
    step(
      "install test/requirements.txt into .cache/py",
      join(venv, "bin", "pip"),
      ["install", "-q", "-r", requirements],
      pipEnv,
    );
  if (status === 0) writeFileSync(stamp, wanted);
  return status;
}

/** bun test, its output passed through as it comes and scanned for the skip count. */
function runTests(): Promise<{ status: number; skipped: number }> {
  console.log("\n▶ tests");
  const started = performance.now();
  rmSync(skipLog, { force: true });
  const child = spawn(process.execPath, ["test", "--timeout", "60000", ...testArgs], {
    cwd: root,
    stdio: ["inherit", "pipe", "pipe"],
  });
  let skipped = 0;
  const scan = (chunk: Buffer) => {
    const match = /^\s*(\d+) skip$/m.exec(chunk.toString());
    if (match) skipped = Number(match[1]);
  };
  child.stdout.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    scan(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    scan(chunk);
  });
  return new Promise((resolve) =>
    child.on("close", (code) => {
      console.log(`${code === 0 ? "✔" : "✘"} tests (${seconds(started)} s)`);
      resolve({ status: code ?? 1, skipped });
    }),
  );
}

function reportSkips(skipped: number) {
  const reasons = existsSync(skipLog)
    ? [...new Set(readFileSync(skipLog, "utf8").split("\n").filter(Boolean))]
    : [];
  console.log(`\nskipped: ${skipped} test${skipped === 1 ? "" : "s"}${reasons.length ? ", because:" : ""}`);
  for (const reason of reasons) console.log(`  - ${reason}`);
  if (skipped > 0 && reasons.length === 0)
    console.log("  - (no reason recorded: a skip outside test/support/skips.ts)");
}

const external = process.env.DCHAT_TEST_BROKERS;
const kafka = join(root, "scripts", "kafka");
const brokerWasRunning =
  external !== undefined || spawnSync(kafka, ["status"], { stdio: "ignore" }).status === 0;

// The fault suite's cluster (test/cluster/support.ts reads the same variable).
const clusterPort = process.env.DCHAT_CLUSTER_PORT ?? "29092";
const clusterWasRunning =
  spawnSync(kafka, ["status", "--port", clusterPort], { stdio: "ignore" }).status === 0;

let status =
  step("type check", join(bin, "tsc"), ["--noEmit", "-p", root]) ||
  step("lint and format", join(bin, "biome"), ["ci", "."]) ||
  step("build dist/dchat", process.execPath, [join(root, "scripts", "build.ts")]) ||
  pythonPackages() ||
  (brokerWasRunning ? 0 : step("start Kafka", kafka, ["start"]));

if (status === 0) {
  const tests = await runTests();
  status = tests.status;
  reportSkips(tests.skipped);
}
if (!brokerWasRunning && !keepBroker) status = step("stop Kafka", kafka, ["stop"]) || status;
// The fault suite (test/cluster) starts its own 3-node cluster; stopped like the broker.
if (!clusterWasRunning && !keepBroker)
  status = step("stop the fault suite's cluster", kafka, ["stop", "--port", clusterPort]) || status;
process.exit(status);
