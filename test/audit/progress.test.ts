/**
 * `dchat audit` on a terminal shows the backlog's progress bar and erases it before the summary;
 * on a pipe (cron, a log file) it prints the summary alone. The terminal is a real PTY whose
 * output goes through a headless xterm.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "../../lib/wire.ts";
import { brokerAddress, repoRoot, uniqueName } from "../support/broker.ts";
import { HeadlessTerminal } from "../term/headless.ts";
import {
  auditProcessArgs,
  createTopic,
  deleteCreatedTopics,
  kafkaFor,
  produce,
  runAuditProcess,
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

async function roomWith(records: number): Promise<{ topic: string; out: string }> {
  const topic = uniqueName("audit-progress");
  const kafka = kafkaFor(brokers);
  await createTopic(kafka, topic, 2);
  await produce(
    kafka,
    topic,
    Array.from({ length: records }, (_, i) => ({
      partition: i % 2,
      value: encode({
        sender: `user${i % 3}`,
        message: `메시지 ${i}`,
        end: false,
        timestamp: "2024-08-26T10:00:00",
      }),
    })),
  );
  const out = mkdtempSync(join(tmpdir(), "dchat-audit-progress-"));
  outs.push(out);
  return { topic, out };
}

const BAR = /\[[= ]+\] [\d,]+ \/ 600 records · [\d,]+\/s · \S+ left/;

test("on a terminal: the bar of the backlog, then erased, then the summary", async () => {
  const { topic, out } = await roomWith(600);
  const screen = new HeadlessTerminal(100, 30);
  let raw = "";
  let pending = Promise.resolve();
  const proc = Bun.spawn(
    auditProcessArgs([
      "--out",
      out,
      "--rooms",
      topic,
      "--brokers",
      brokers,
      "--file-records",
      "100",
      "--no-stats",
    ]),
    {
      terminal: {
        cols: 100,
        rows: 30,
        data: (_term, bytes) => {
          const copy = new Uint8Array(bytes);
          raw += new TextDecoder().decode(copy);
          pending = pending.then(() => screen.write(copy));
        },
      },
      env: {
        PATH: process.env.PATH ?? "",
        HOME: join(repoRoot, ".tmp", "home"),
        TERM: "xterm-256color",
        TZ: "UTC",
      },
    },
  );
  expect(await proc.exited).toBe(0);
  // The PTY may deliver its last bytes after the exit.
  const deadline = Date.now() + 5_000;
  while (!raw.includes("archived 600 records") && Date.now() < deadline) await Bun.sleep(20);
  await pending;

  // Its first frame (nothing archived yet) and its last (the whole backlog).
  expect(raw).toContain("[                      ] 0 / 600 records · 0/s · ? left");
  expect(raw).toMatch(/\[=+\] 600 \/ 600 records/);
  const rows = screen.rows().filter((r) => r !== "");
  expect(rows.some((r) => BAR.test(r))).toBe(false);
  expect(rows.at(-1)).toBe(`archived 600 records into ${out}`);
}, 60_000);

test("on a pipe: the summary alone, no bar and no carriage returns", async () => {
  const { topic, out } = await roomWith(600);
  const run = await runAuditProcess([
    "--out",
    out,
    "--rooms",
    topic,
    "--brokers",
    brokers,
    "--file-records",
    "100",
    "--no-stats",
  ]);
  expect(run.code).toBe(0);
  expect(run.stderr).toBe("");
  expect(run.stdout).not.toContain("\r");
  expect(run.stdout).not.toMatch(BAR);
  expect(run.stdout.trim().split("\n").at(-1)).toBe(`archived 600 records into ${out}`);
}, 60_000);
