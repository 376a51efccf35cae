/**
 * scripts/kafka on its own port, so it never touches the broker the other tests use: start is
 * ready only after a real round trip, a second start is a no-op, stop is clean.
 */
import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureTopic, openKafka } from "../lib/kafka/index.ts";
import { repoRoot } from "./support/broker.ts";
import { produceValues, readValues } from "./support/client.ts";

const port = "19392";
const script = join(repoRoot, "scripts", "kafka");
const nodeDir = join(repoRoot, ".cache", "kafka", port);

function kafka(...args: string[]) {
  return spawnSync(script, [...args, "--port", port], { encoding: "utf8", timeout: 180_000 });
}

afterAll(() => {
  kafka("stop");
  rmSync(nodeDir, { recursive: true, force: true });
});

test("start, start again, status, stop, status", async () => {
  rmSync(nodeDir, { recursive: true, force: true });
  const started = kafka("start");
  expect(started.status).toBe(0);
  expect(started.stdout).toMatch(
    new RegExp(`^kafka running \\(pid \\d+\\) on 127.0.0.1:${port}; log: .*server.log\\n$`),
  );
  expect(started.stderr).toBe("");

  // Ready means usable: an independent client produces and reads back at once.
  await ensureTopic(openKafka({ brokers: [`127.0.0.1:${port}`], clientId: "t", ssl: false }), "script-check");
  produceValues(`127.0.0.1:${port}`, "script-check", ["hello"]);
  expect(readValues(`127.0.0.1:${port}`, "script-check")).toEqual(["hello"]);

  const again = kafka("start");
  expect(again.status).toBe(0);
  expect(again.stdout).toMatch(/^kafka already running/);

  const status = kafka("status");
  expect(status.status).toBe(0);
  const log = /log (\S+)/.exec(status.stdout)?.[1] ?? "";
  expect(existsSync(log)).toBe(true);

  const stopped = kafka("stop");
  expect(stopped.status).toBe(0);
  expect(stopped.stdout).toMatch(/^kafka \(pid \d+\) stopped\n$/);
  expect(kafka("status").status).not.toBe(0);
}, 240_000);

test("bad usage is one line and exit 2", () => {
  const result = spawnSync(script, ["launch"], { encoding: "utf8" });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/^scripts\/kafka: unknown command "launch"/);
});
