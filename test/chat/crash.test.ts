/** A bug while the chat screen is up: the terminal is restored before the error is reported. */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { repoRoot } from "../support/broker.ts";
import { HeadlessTerminal } from "../term/headless.ts";

test("an uncaught exception restores the terminal, then the error is reported", async () => {
  const screen = new HeadlessTerminal(60, 12);
  let parsing: Promise<void> = Promise.resolve();
  let sawChat = false;
  const proc = Bun.spawn([process.execPath, join(repoRoot, "test", "chat", "crash-entry.ts")], {
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
  expect(await proc.exited).toBe(70);
  await parsing;
  expect(sawChat).toBe(true);
  expect(screen.altScreen()).toBe(false);
  expect(screen.modes()).toEqual({ bracketedPaste: false, mouse: "none", cursorHidden: false });
  expect(screen.rows().join("\n")).toContain("crashed: boom from a bug");
});
