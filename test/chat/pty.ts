/**
 * A dchat chat client in a real pseudo-terminal (Bun's built-in PTY), its output fed into a
 * headless xterm. `until` polls the emulated screen; no assertion depends on timing.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../support/broker.ts";
import { HeadlessTerminal } from "../term/headless.ts";

const binary = join(repoRoot, "dist", "dchat");
let binaryHasChat: boolean | undefined;

/**
 * `dchat chat` as users run it: the compiled binary, as in the other end-to-end tests. The
 * sources (main.ts) run only when asked for with DCHAT_TEST_SOURCES=1; a missing or
 * stale binary is an error saying what to do, never a silent switch to the sources.
 */
export function chatCommandLine(): string[] {
  if (process.env.DCHAT_TEST_SOURCES === "1") return [process.execPath, join(repoRoot, "main.ts"), "chat"];
  binaryHasChat ??= existsSync(binary) && spawnSync(binary, ["chat", "--help"]).status === 0;
  if (!binaryHasChat)
    throw new Error(
      "dist/dchat is missing or has no chat command: run `npm run build` (npm test does it), or set DCHAT_TEST_SOURCES=1 to test the sources",
    );
  return [binary, "chat"];
}

export class PtyChat {
  readonly screen: HeadlessTerminal;
  readonly proc: Bun.Subprocess;
  private pending: Promise<void> = Promise.resolve();

  constructor(args: string[], size = { cols: 70, rows: 16 }, env: Record<string, string> = {}) {
    this.screen = new HeadlessTerminal(size.cols, size.rows);
    this.proc = Bun.spawn([...chatCommandLine(), ...args], {
      terminal: {
        cols: size.cols,
        rows: size.rows,
        data: (_term, bytes) => {
          const copy = new Uint8Array(bytes);
          this.pending = this.pending.then(() => this.screen.write(copy));
        },
      },
      env: {
        PATH: process.env.PATH ?? "",
        HOME: join(repoRoot, ".tmp", "home"),
        TERM: "xterm-256color",
        ...env,
      },
    });
  }

  type(text: string): void {
    this.proc.terminal?.write(text);
  }

  resize(cols: number, rows: number): void {
    this.screen.resize(cols, rows);
    this.proc.terminal?.resize(cols, rows);
  }

  text(): string {
    return this.screen.rows().join("\n");
  }

  /** Waits until `check` holds for the screen (up to 20 s), else fails showing the screen. */
  async until(what: string, check: (screen: HeadlessTerminal) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.pending;
      if (check(this.screen)) return;
      await Bun.sleep(50);
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${this.text()}`);
  }

  untilText(text: string): Promise<void> {
    return this.until(JSON.stringify(text), (s) => s.rows().join("\n").includes(text));
  }

  async exited(): Promise<number> {
    const code = await this.proc.exited;
    await this.pending;
    return code;
  }
}
