/**
 * Exactly once under `kill -9`. First deterministically: the test-only switch
 * DCHAT_AUDIT_CRASH_AT=<step>:<n> (lib/audit/crashpoint.ts) makes a run SIGKILL itself at every
 * step of the commit protocol in turn (the lock, each stage of every kind of file write, between
 * a batch's processed files and its raw file, before the state write); each kill must land where
 * it says, and the next run must leave the archive equal to the topic. Then a random loop kills
 * runs while new records keep arriving, including an aborted transaction (offsets the audit
 * never sees); every kill must land in the middle of a run (the run holds the lock and has not
 * exited), and after one final clean run the archive must equal the topic: same (partition,
 * offset) set, same payloads, every chat message in the processed view exactly once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CRASH_ENV, CRASH_STEPS, type CrashStep } from "../../lib/audit/crashpoint.ts";
import { LOCK_FILE, STATE_FILE } from "../../lib/audit/files.ts";
import { encode } from "../../lib/wire.ts";
import { brokerAddress, repoRoot, uniqueName } from "../support/broker.ts";
import {
  archivedRecords,
  auditProcessArgs,
  createTopic,
  deleteCreatedTopics,
  expectedRow,
  kafkaFor,
  processedKeys,
  produce,
  runAuditProcess,
  topicRecords,
} from "./support.ts";

let brokers: string;
const outs: string[] = [];

beforeAll(async () => {
  brokers = await brokerAddress();
});

afterAll(async () => {
  for (const out of outs) rmSync(out, { recursive: true, force: true });
  await deleteCreatedTopics(brokers);
});

function freshArchive(): string {
  const out = mkdtempSync(join(tmpdir(), "dchat-audit-crash-"));
  outs.push(out);
  return out;
}

/** Chat records (joins, two-line messages, leaves) and a bad one now and then, over 3 partitions. */
function records(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const sender = n % 11 === 0 ? "[INFO]" : `사용자${n % 5}`;
    const message = n % 13 === 0 ? `줄 하나\n줄 둘 ${n}` : `메시지 number ${n} ${"가나다".repeat(n % 7)}`;
    const value =
      n % 97 === 0
        ? `broken ${n}`
        : encode({ sender, message, end: n % 17 === 0, timestamp: "2024-08-26T23:59:59.999999" });
    return { partition: n % 3, value };
  });
}

function auditArgs(out: string, topic: string, ...more: string[]): string[] {
  return auditProcessArgs(["--out", out, "--rooms", topic, "--brokers", brokers, ...more]);
}

function spawnAudit(args: string[], env: Record<string, string> = {}) {
  return Bun.spawn(args, {
    stdout: "ignore",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home"), TZ: "UTC", ...env },
  });
}

/** After a clean run: the archive holds every record of the topic once, and nothing else. */
async function expectArchiveEqualsTopic(out: string, topic: string, expectedCount: number): Promise<void> {
  const final = await runAuditProcess(["--out", out, "--rooms", topic, "--brokers", brokers, "--no-stats"]);
  expect(final.stderr).toBe("");
  expect(final.code).toBe(0);

  const inTopic = topicRecords(brokers, topic).sort(
    (a, b) => a.partition - b.partition || a.offset - b.offset,
  );
  expect(inTopic.length).toBe(expectedCount);
  const archived = await archivedRecords(out);
  expect(archived.map((r) => `${r.partition}:${r.offset}`)).toEqual(
    inTopic.map((r) => `${r.partition}:${r.offset}`),
  );
  archived.forEach((row, i) => {
    const { sender, message, end, timestamp, raw } = row;
    expect({ sender, message, end, timestamp, raw }).toEqual(
      expectedRow(inTopic[i] as (typeof inTopic)[number]),
    );
  });
  const chatMessages = inTopic.filter((r) => {
    const e = expectedRow(r);
    return e.sender !== null && e.sender !== "[INFO]" && e.end !== true;
  });
  const processed = await processedKeys(out);
  expect(processed.map((p) => p.key).sort()).toEqual(
    chatMessages.map((r) => `${topic}+${r.partition}+${r.offset}`).sort(),
  );
  const leftovers = readdirSync(out, { recursive: true }).filter((name) => String(name).endsWith(".tmp"));
  expect(leftovers).toEqual([]);
}

/**
 * Which occurrence of a step to kill at: a later batch's file for the per-batch steps, so the
 * kill lands after earlier batches of the same run were committed; the once-a-run steps at once.
 */
function occurrence(step: CrashStep): number {
  return step === "lock" || step === "state-write" || step.startsWith("state.") ? 1 : 3;
}

describe("kill -9 at each step of the commit protocol", () => {
  const out = freshArchive();
  let topic: string;
  let produced = 0;

  beforeAll(async () => {
    topic = uniqueName("audit-crash-steps");
    await createTopic(kafkaFor(brokers), topic, 3);
  });

  for (const step of CRASH_STEPS) {
    const n = occurrence(step);
    test(`at ${step}:${n} the run dies there; the next run leaves the archive equal to the topic`, async () => {
      // 20 new records per partition: two files of 10 per partition, so six batches this run.
      await produce(kafkaFor(brokers), topic, records(produced, 60));
      produced += 60;
      const run = spawnAudit(auditArgs(out, topic, "--file-records", "10", "--no-stats"), {
        [CRASH_ENV]: `${step}:${n}`,
      });
      const stderr = await new Response(run.stderr).text();
      await run.exited;
      expect(stderr).toBe(`dchat audit: ${CRASH_ENV}: killed at ${step}:${n}\n`);
      expect(run.signalCode).toBe("SIGKILL");
      await expectArchiveEqualsTopic(out, topic, produced);
    }, 60_000);
  }
});

const ITERATIONS = 24;

/** Raw files committed in the archive so far (the commit points of every run). */
function rawFileCount(out: string): number {
  const dir = join(out, "messages_audit");
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true }).filter((name) => String(name).endsWith(".parquet")).length;
}

/** Resolves once `pid` holds the archive's lock (it writes its pid there), false if it exited first. */
async function lockTakenBy(out: string, proc: Bun.Subprocess): Promise<boolean> {
  const path = join(out, LOCK_FILE);
  while (proc.exitCode === null && proc.signalCode === null) {
    if (existsSync(path) && readFileSync(path, "utf8") === `${proc.pid}\n`) return true;
    await Bun.sleep(2);
  }
  return false;
}

const stateText = (out: string) =>
  existsSync(join(out, STATE_FILE)) ? readFileSync(join(out, STATE_FILE), "utf8") : "";

test(`kill -9 at ${ITERATIONS} instants mid-run (after 0–39 of its raw files), then one clean run: the archive equals the topic`, async () => {
  const out = freshArchive();
  const kafka = kafkaFor(brokers);
  const topic = uniqueName("audit-crash");
  await createTopic(kafka, topic, 3);
  await produce(kafka, topic, records(0, 3000));

  const producer = kafka.producer({
    transactionalId: uniqueName("audit-tx"),
    maxInFlightRequests: 1,
    idempotent: true,
  });
  await producer.connect();
  const aborted = await producer.transaction();
  await aborted.send({ topic, messages: records(100_000, 30) });
  await aborted.abort();
  const committed = await producer.transaction();
  await committed.send({ topic, messages: records(200_000, 30) });
  await committed.commit();
  await producer.disconnect();

  let produced = 3000;
  let beforeState = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const before = stateText(out);
    const proc = spawnAudit(auditArgs(out, topic, "--file-records", "10", "--no-stats"));
    // The run has started for real: it holds the lock.
    const locked = await lockTakenBy(out, proc);
    // Kill after a varying number of this run's raw files (0: still connecting or fetching), far
    // fewer than its backlog holds, so the kill lands mid-run however fast the machine is.
    const target = rawFileCount(out) + ((i * 7) % 40);
    while (rawFileCount(out) < target && proc.exitCode === null) await Bun.sleep(2);
    proc.kill("SIGKILL");
    await proc.exited;
    expect({ iteration: i, locked, signal: proc.signalCode }).toEqual({
      iteration: i,
      locked: true,
      signal: "SIGKILL",
    });
    if (stateText(out) === before) beforeState++;
    await produce(kafka, topic, records(produced, 600));
    produced += 600;
  }
  const archivedBefore = (await archivedRecords(out)).length;
  console.log(
    `${ITERATIONS} runs killed while holding the lock, ${beforeState} of them before their state write; ` +
      `${archivedBefore} records archived before the final run`,
  );
  // Some kills came after files were committed, so the final run had real recovery to do.
  expect(archivedBefore).toBeGreaterThan(0);
  // Every run had 600 new records or more, so the state file stays as it was only when the kill
  // came before the run's end; most kills must have landed there, not in the exit path.
  expect(beforeState).toBeGreaterThanOrEqual(ITERATIONS / 2);
  await expectArchiveEqualsTopic(out, topic, produced + 30);
}, 240_000);
