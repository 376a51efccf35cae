#!/usr/bin/env bun

// dchat's entry: run the command line with the real streams and exit with its code. The only
// place that calls process.exit; everything else is lib/main.ts, which tests import.

import type { Io } from "./lib/cli.ts";
import { main } from "./lib/main.ts";

// The real world the commands get through Io; library code never hooks the process itself. The
// test entries that run the chat with in-memory rooms in a child process import it too.
export const processIo = (): Io => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signals: {
    on(signal, handler) {
      const listener = () => handler(signal);
      process.on(signal, listener);
      return () => process.off(signal, listener);
    },
    stop: () => process.kill(process.pid, "SIGSTOP"),
  },
  onCrash(handler) {
    process.on("uncaughtException", handler);
    process.on("unhandledRejection", handler);
    return () => {
      process.off("uncaughtException", handler);
      process.off("unhandledRejection", handler);
    };
  },
  clock: {
    now: () => new Date(),
    after(ms, run) {
      const timer = setTimeout(run, ms);
      return () => clearTimeout(timer);
    },
  },
});

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2), processIo());
  // Kafka sockets and stdin may keep the event loop alive after the command is done, so we exit
  // explicitly — but only once stdout has been flushed: exiting straight away cuts output to a
  // pipe at 64 KiB (`dchat audit stats --json | jq`).
  await Promise.race([new Promise<void>((done) => process.stdout.end(() => done())), Bun.sleep(5000)]);
  process.exit();
}
