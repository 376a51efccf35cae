/** `dchat chat` in line mode as a script runs it, for the fault tests. */
import { join } from "node:path";
import { repoRoot } from "../support/broker.ts";
import { dchatCommand } from "../support/dchat.ts";

/** A line-mode client: stdin a pipe we write to, stdout and stderr collected as they come. */
export function lineClient(brokers: string, room: string, user: string) {
  const proc = Bun.spawn(
    [...dchatCommand(), "chat", "--room", room, "--user", user, "--brokers", brokers, "--history", "0"],
    {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home") },
    },
  );
  const out = { stdout: "", stderr: "" };
  /** When each stdout line arrived (ms since the epoch), for the delivery gap. */
  const arrivals: { line: string; at: number }[] = [];
  const collect = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      if (key === "stdout") {
        const complete = (out.stdout.slice(out.stdout.lastIndexOf("\n") + 1) + text).split("\n").slice(0, -1);
        for (const line of complete) arrivals.push({ line, at: Date.now() });
      }
      out[key] += text;
    }
  };
  const collected = Promise.all([collect(proc.stdout, "stdout"), collect(proc.stderr, "stderr")]);
  return {
    proc,
    out,
    arrivals,
    lines: () => out.stdout.split("\n"),
    say: (text: string) => {
      proc.stdin.write(`${text}\n`);
      proc.stdin.flush();
    },
    async leave(): Promise<number> {
      proc.stdin.end();
      const code = await proc.exited;
      await collected;
      return code;
    },
  };
}
