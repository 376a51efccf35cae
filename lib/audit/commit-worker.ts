/**
 * Worker entry: prepares the batches it is sent, in the order they arrive (everything but the
 * raw file, whose bytes go back to be committed in order), and answers each with the result (or
 * the failure's message). See committer.ts. Under the crash test's switch it counts the steps it
 * passes on the main thread's counters (crashpoint.ts).
 */
import { type CommitJob, prepareBatch } from "./commit.ts";
import { adoptCrashCounters } from "./crashpoint.ts";
import { transferables } from "./stats-rows.ts";

declare const self: Worker;

type Message = { id: number; job: CommitJob } | { crashCounters: SharedArrayBuffer };

self.onmessage = (event: MessageEvent<Message>) => {
  if ("crashCounters" in event.data) {
    adoptCrashCounters(event.data.crashCounters);
    return;
  }
  const { id, job } = event.data;
  try {
    const prepared = prepareBatch(job);
    const stats = prepared.outcome.stats;
    // The batch's value buffer goes back too, for a later batch (commit.ts reuseValues).
    const values = job.records.bytes.buffer as ArrayBuffer;
    self.postMessage({ id, prepared, values }, [
      prepared.raw.buffer as ArrayBuffer,
      values,
      ...(stats === null ? [] : transferables(stats)),
    ]);
  } catch (error) {
    const { message, code } = error as NodeJS.ErrnoException;
    self.postMessage({ id, error: { message: message ?? String(error), code } });
  }
};
self.postMessage({ ready: true });
