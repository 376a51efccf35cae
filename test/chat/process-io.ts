/**
 * The real world (lib/cli.ts `Io`: the process's streams, signals, crash hooks and timers) for the
 * test entries that run the chat with in-memory rooms in a child process, as main.ts gives it to
 * the binary's commands.
 */
import type { Io } from "../../lib/cli.ts";

export function processIo(): Io {
  return {
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
  };
}
