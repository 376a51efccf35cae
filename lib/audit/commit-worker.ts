/**
 * Worker entry: prepares the batches it is sent, in the order they arrive (everything but the
 * raw file, whose bytes go back to be committed in order), and answers each with the result (or
 * the failure's message). See committer.ts.
 */
import { type CommitJob, prepareBatch } from "./commit.ts";

declare const self: Worker;

self.onmessage = (event: MessageEvent<{ id: number; job: CommitJob }>) => {
  const { id, job } = event.data;
  try {
    const prepared = prepareBatch(job);
    self.postMessage({ id, prepared }, [prepared.raw.buffer as ArrayBuffer]);
  } catch (error) {
    const { message, code } = error as NodeJS.ErrnoException;
    self.postMessage({ id, error: { message: message ?? String(error), code } });
  }
};
self.postMessage({ ready: true });
