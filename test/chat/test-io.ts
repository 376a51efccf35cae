/**
 * An Io for running a command in-process: stdin from a string, stdout and stderr collected,
 * signals and crashes raised by hand, the real clock (tests that must not wait use update alone).
 */
import { Readable, Writable } from "node:stream";
import type { Io, Signal } from "../../lib/cli.ts";

export function testIo(input: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const handlers = new Set<{ signal: Signal; handler: (signal: Signal) => void }>();
  const crashHandlers = new Set<(error: unknown) => void>();
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _encoding, done) {
        into.push(String(chunk));
        done();
      },
    }) as unknown as NodeJS.WriteStream;
  const io: Io = {
    stdin: Readable.from([input]) as unknown as NodeJS.ReadStream,
    stdout: sink(stdout),
    stderr: sink(stderr),
    env: {},
    signals: {
      on(signal, handler) {
        const entry = { signal, handler };
        handlers.add(entry);
        return () => handlers.delete(entry);
      },
      stop() {},
    },
    onCrash(handler) {
      crashHandlers.add(handler);
      return () => crashHandlers.delete(handler);
    },
    clock: {
      now: () => new Date(),
      after(ms, run) {
        const timer = setTimeout(run, ms);
        return () => clearTimeout(timer);
      },
    },
  };
  return {
    io,
    stdout,
    stderr,
    raise(signal: Signal) {
      for (const entry of handlers) if (entry.signal === signal) entry.handler(signal);
    },
    /** Handlers still listening (a command must remove its own when it returns). */
    listening: () => handlers.size + crashHandlers.size,
  };
}
