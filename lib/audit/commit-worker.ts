/**
 * Worker entry: commits the batches it is sent, in the order they arrive, and answers each
 * with its outcome (or the failure's message). See committer.ts.
 */
import { type CommitJob, commitBatch } from "./commit.ts";

declare const self: Worker;

self.onmessage = (event: MessageEvent<{ id: number; job: CommitJob }>) => {
  const { id, job } = event.data;
  try {
    self.postMessage({ id, outcome: commitBatch(job) });
  } catch (error) {
    const { message, code } = error as NodeJS.ErrnoException;
    self.postMessage({ id, error: { message: message ?? String(error), code } });
  }
};
self.postMessage({ ready: true });
