/**
 * Exactly once under `kill -9`: runs are killed at spread-out instants (while connecting,
 * fetching, writing a file, between a raw file and the state) while new records keep arriving,
 * including an aborted transaction (offsets the audit never sees). After one final clean run
 * the archive must equal the topic: same (partition, offset) set, same payloads, and the
 * processed view must hold every chat message exactly once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "../../lib/wire.ts";
import { brokerAddress, uniqueName } from "../support/broker.ts";
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
let out: string;

beforeAll(async () => {
  brokers = await brokerAddress();
  out = mkdtempSync(join(tmpdir(), "dchat-audit-crash-"));
});

afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await deleteCreatedTopics(brokers);
});

const ITERATIONS = 24;

/** A temp file, or a processed file whose raw file is not committed: a kill mid-batch. */
function debris(dir: string): boolean {
  const names = readdirSync(dir, { recursive: true }).map(String);
  const raw = new Set(names.filter((n) => n.startsWith("messages_audit")).map((n) => n.split("/").at(-1)));
  return names.some(
    (n) =>
      n.endsWith(".tmp") ||
      (n.startsWith("message_processed") && n.endsWith(".parquet") && !raw.has(n.split("/").at(-1))),
  );
}

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

test(`kill -9 at ${ITERATIONS} points, then one clean run: the archive equals the topic`, async () => {
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
  let interrupted = 0;
  let killed = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const proc = Bun.spawn(
      auditProcessArgs([
        "--out",
        out,
        "--rooms",
        topic,
        "--brokers",
        brokers,
        "--file-records",
        "10",
        "--no-stats",
      ]),
      { stdout: "ignore", stderr: "ignore", env: { ...process.env, TZ: "UTC" } },
    );
    // Spread kill instants from start-up through connecting, fetching and writing files.
    const delay = 30 + ((i * 137) % 900);
    await Bun.sleep(delay);
    proc.kill("SIGKILL");
    await proc.exited;
    if (proc.signalCode === "SIGKILL") killed++;
    if (debris(out)) interrupted++;
    await produce(kafka, topic, records(produced, 600));
    produced += 600;
  }

  // The kills landed after some runs had committed files, so recovery had real work to do.
  const beforeFinal = (await archivedRecords(out)).length;
  expect(beforeFinal).toBeGreaterThan(0);
  const final = await runAuditProcess(["--out", out, "--rooms", topic, "--brokers", brokers, "--no-stats"]);
  console.log(
    `${killed} of ${ITERATIONS} runs were killed mid-run, ${interrupted} of them leaving a temp or uncommitted file; ` +
      `${beforeFinal} records archived before the final run`,
  );
  expect(final.stderr).toBe("");
  expect(final.code).toBe(0);

  const inTopic = topicRecords(brokers, topic).sort(
    (a, b) => a.partition - b.partition || a.offset - b.offset,
  );
  expect(inTopic.length).toBe(produced + 30);
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
}, 180_000);
