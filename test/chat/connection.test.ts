/**
 * Connection loss, against a private broker (its own port, so stopping it disturbs no other
 * test): the status line says so, typed text stays, a message sent while the broker is down
 * is delivered once it is back, and nothing is shown twice.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot, uniqueName } from "../support/broker.ts";
import { readValues } from "../support/client.ts";
import { PtyChat } from "./pty.ts";

const port = "19192";
const brokers = `127.0.0.1:${port}`;
const kafka = (command: string) =>
  spawnSync(join(repoRoot, "scripts", "kafka"), [command, "--port", port], {
    encoding: "utf8",
    env: { ...process.env, DCHAT_KAFKA_HEAP: "256m" },
  });

beforeAll(() => {
  const started = kafka("start");
  if (started.status !== 0) throw new Error(`private broker did not start: ${started.stderr}`);
});
afterAll(() => {
  kafka("stop");
});

test("broker lost and back: status shown, input kept, the queued message delivered once", async () => {
  const room = uniqueName("chat-loss");
  const c = new PtyChat(["--room", room, "--user", "lo", "--brokers", brokers], { cols: 80, rows: 14 });
  await c.untilText("● connected");
  await c.untilText("User [lo] has entered the chat!");
  expect(kafka("stop").status).toBe(0);
  c.type("sent while down\r");
  c.type("draft kept");
  await c.untilText("connection lost, reconnecting");
  expect(c.text()).toContain("1 unsent");
  expect(c.screen.row(11)).toBe("YOU: draft kept");
  expect(kafka("start").status).toBe(0);
  await c.until(
    "the message delivered",
    (s) => s.rows().join("\n").includes("● connected") && !s.rows().join("\n").includes("unsent"),
    60_000,
  );
  expect(c.screen.row(11)).toBe("YOU: draft kept");
  expect(c.text().split("lo: sent while down")).toHaveLength(2);
  c.type("\x15exit\r");
  expect(await c.exited()).toBe(0);
  const sent = readValues(brokers, room).map((v) => JSON.parse(v).message);
  expect(sent.filter((m: string) => m === "sent while down")).toHaveLength(1);
}, 120_000);

test("leaving while the broker is down reports what was not sent and exits 1", async () => {
  const room = uniqueName("chat-down");
  const c = new PtyChat(["--room", room, "--user", "lo", "--brokers", brokers], { cols: 100, rows: 14 });
  await c.untilText("User [lo] has entered the chat!");
  expect(kafka("stop").status).toBe(0);
  c.type("never delivered\r");
  await c.untilText("1 unsent");
  c.type("\x03");
  expect(await c.exited()).toBe(1);
  expect(c.screen.altScreen()).toBe(false);
  expect(c.text()).toContain("1 message(s) were not sent (Kafka unreachable):");
  expect(c.text()).toContain('"never delivered"');
}, 60_000);
