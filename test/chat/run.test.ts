/**
 * runChat's outbox with several rooms, against in-memory rooms whose timing is fixed
 * (test/chat/rooms-entry.ts), in a real pseudo-terminal.
 */
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HeadlessTerminal } from "../term/headless.ts";

const log = (path: string) =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { room: string; message: string })
    : [];

test("regression: a room joining while another's join record is in flight gets its own, once each", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "dchat-rooms-")), "sent.jsonl");
  const screen = new HeadlessTerminal(60, 12);
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "rooms-entry.ts")], {
    terminal: { cols: 60, rows: 12, data: (_t, bytes) => void screen.write(new Uint8Array(bytes)) },
    env: { ...process.env, ROOMS_LOG: path },
  });
  const deadline = Date.now() + 20_000;
  while (log(path).length < 2 && Date.now() < deadline) await Bun.sleep(50);
  proc.terminal?.write("exit\r");
  expect(await proc.exited).toBe(0);
  const joins = log(path).filter((r) => r.message === "User [tester] has entered the chat!\n");
  expect(joins.map((r) => r.room).sort()).toEqual(["fast", "slow"]);
  const leaves = log(path).filter((r) => r.message === "\nUser [tester] has exited the chatroom.");
  expect(leaves.map((r) => r.room).sort()).toEqual(["fast", "slow"]);
});
