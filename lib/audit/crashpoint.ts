/**
 * The crash test's switch (test/audit/crash.test.ts): `DCHAT_AUDIT_CRASH_AT=<step>:<n>` makes the
 * process SIGKILL itself the n-th time any of its threads reaches `<step>` of the commit
 * protocol, after saying so on stderr, so the test knows the kill landed exactly there. Unset,
 * each step costs one comparison. The count is shared with the worker threads (committer.ts
 * hands them the counters), since they write the processed files.
 */
import { writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

export const FILE_KINDS = ["processed", "raw", "state"] as const;
export type FileKind = (typeof FILE_KINDS)[number];
/** A durable write's stages (files.ts): bytes in the temp file, its fsync, the rename, the directory's fsync. */
export const WRITE_STAGES = ["temp-write", "temp-fsync", "rename", "dir-fsync"] as const;

/** Every step, in the order one batch and one run pass them. */
export const CRASH_STEPS = [
  "lock",
  ...WRITE_STAGES.map((stage) => `processed.${stage}` as const),
  "processed-before-raw",
  ...WRITE_STAGES.map((stage) => `raw.${stage}` as const),
  "state-write",
  ...WRITE_STAGES.map((stage) => `state.${stage}` as const),
] as const;
export type CrashStep = (typeof CRASH_STEPS)[number];

export const CRASH_ENV = "DCHAT_AUDIT_CRASH_AT";

interface Switch {
  step: CrashStep;
  n: number;
}

function parseSwitch(text: string | undefined): Switch | null {
  if (text === undefined || text === "") return null;
  const [step, n] = text.split(":");
  const index = CRASH_STEPS.indexOf(step as CrashStep);
  if (index < 0 || !/^[1-9]\d*$/.test(n ?? "")) {
    // A test's typo: said once, and the crash test then misses the kill it waits for.
    if (isMainThread)
      writeSync(
        2,
        `dchat audit: ignoring ${CRASH_ENV}=${text}: expected <step>:<n>, a step of ${CRASH_STEPS.join(", ")}\n`,
      );
    return null;
  }
  return { step: step as CrashStep, n: Number(n) };
}

const armed = parseSwitch(process.env[CRASH_ENV]);
let counters: Int32Array | null = null;

/** The shared step counters for the worker threads; null when the switch is off. */
export function crashCounters(): SharedArrayBuffer | null {
  if (armed === null) return null;
  counters ??= new Int32Array(new SharedArrayBuffer(4 * CRASH_STEPS.length));
  return counters.buffer as SharedArrayBuffer;
}

/** In a worker: count on the main thread's counters. */
export function adoptCrashCounters(buffer: SharedArrayBuffer): void {
  counters = new Int32Array(buffer);
}

export function crashPoint(step: CrashStep): void {
  if (armed === null || armed.step !== step) return;
  const shared = counters ?? new Int32Array(crashCounters() as SharedArrayBuffer);
  counters = shared;
  const reached = Atomics.add(shared, CRASH_STEPS.indexOf(step), 1) + 1;
  if (reached !== armed.n) return;
  writeSync(2, `dchat audit: ${CRASH_ENV}: killed at ${step}:${reached}\n`);
  process.kill(process.pid, "SIGKILL");
}
