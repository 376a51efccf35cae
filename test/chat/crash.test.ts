/**
 * A bug while the chat screen is up: the terminal is restored, the room is told we left (if
 * that can be done within a bounded time), then the error is reported.
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, uniqueName } from "../support/broker.ts";
import { HeadlessTerminal } from "../term/headless.ts";

async function crashChat(env: Record<string, string>) {
  const screen = new HeadlessTerminal(60, 12);
  let parsing: Promise<void> = Promise.resolve();
  let sawChat = false;
  const log = join(tmpdir(), `${uniqueName("dchat-crash")}.jsonl`);
  const proc = Bun.spawn([process.execPath, join(repoRoot, "test", "chat", "crash-entry.ts")], {
    env: { ...process.env, CRASH_LOG: log, ...env },
    terminal: {
      cols: 60,
      rows: 12,
      data: (_t, bytes) => {
        const copy = new Uint8Array(bytes);
        parsing = parsing.then(async () => {
          await screen.write(copy);
          if (screen.altScreen() && screen.rows().join("\n").includes("YOU: ")) sawChat = true;
        });
      },
    },
  });
  const code = await proc.exited;
  await parsing;
  const calls = existsSync(log)
    ? readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line))
    : [];
  rmSync(log, { force: true });
  return { code, screen, sawChat, calls };
}

test("an uncaught exception restores the terminal, sends the leave record, then the error is reported", async () => {
  const { code, screen, sawChat, calls } = await crashChat({});
  expect(code).toBe(70);
  expect(sawChat).toBe(true);
  expect(screen.altScreen()).toBe(false);
  expect(screen.modes()).toEqual({ bracketedPaste: false, mouse: "none", cursorHidden: false });
  expect(screen.rows().join("\n")).toContain("crashed: boom from a bug");
  expect(calls.map((c) => c.sent?.message ?? (c.closed ? "closed" : "?"))).toEqual([
    "User [tester] has entered the chat!\n",
    "\nUser [tester] has exited the chatroom.",
    "closed",
  ]);
  expect(calls[1].sent).toMatchObject({ sender: "tester", end: true });
});

test("a crash with the broker silent gives up on the leave record and still reports the error", async () => {
  const { code, screen, calls } = await crashChat({ CRASH_HANG: "1" });
  expect(code).toBe(70);
  expect(screen.altScreen()).toBe(false);
  expect(screen.rows().join("\n")).toContain("crashed: boom from a bug");
  expect(calls.map((c) => c.sent?.message ?? (c.closed ? "closed" : "?"))).toEqual([
    "User [tester] has entered the chat!\n",
  ]);
});

test("line mode: an uncaught exception sends the leave record, then the error is reported", async () => {
  const log = join(tmpdir(), `${uniqueName("dchat-crash-plain")}.jsonl`);
  const proc = Bun.spawn([process.execPath, join(repoRoot, "test", "chat", "crash-entry.ts")], {
    env: { ...process.env, CRASH_LOG: log, CRASH_PLAIN: "1" },
    // stdin stays open: the crash, not the end of input, must be what ends the chat.
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  const calls = readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  rmSync(log, { force: true });
  expect(code).toBe(70);
  expect(stderr).toContain("crashed: boom from a bug");
  expect(calls.map((c) => c.sent?.message ?? (c.closed ? "closed" : "?"))).toEqual([
    "User [tester] has entered the chat!\n",
    "\nUser [tester] has exited the chatroom.",
    "closed",
  ]);
});
