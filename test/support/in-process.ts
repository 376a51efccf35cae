/**
 * `dchat ARGS…` run inside the test process through lib/main.ts — the same dispatch and the same
 * outcome → exit code rule as the binary — for tests where the process boundary is not what they
 * check (flag errors, help, reading an archive back). Output is captured as text; stdin is
 * `stdin` or empty; the environment is isolated as runDchat's is (no user config file).
 */
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import type { Io } from "../../lib/cli.ts";
import { main } from "../../lib/main.ts";
import { repoRoot } from "./broker.ts";
import type { RunResult } from "./dchat.ts";

function captured(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return {
    stream: Object.assign(stream, { isTTY: false }) as unknown as NodeJS.WriteStream,
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

export async function runMain(
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const stdout = captured();
  const stderr = captured();
  const io: Io = {
    stdin: Readable.from(
      options.stdin === undefined ? [] : [Buffer.from(options.stdin)],
    ) as NodeJS.ReadStream,
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home"), ...options.env },
    // No signal reaches a command run in-process, and a bug fails the test itself.
    signals: { on: () => () => {}, stop() {} },
    onCrash: () => () => {},
    clock: {
      now: () => new Date(),
      after(ms, run) {
        const timer = setTimeout(run, ms);
        return () => clearTimeout(timer);
      },
    },
  };
  const code = await main(args, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
