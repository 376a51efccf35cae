/**
 * Where batches are committed. Decoding and Parquet encoding cost several times the fetch, so
 * they run in worker threads while the main thread keeps fetching; each partition always goes
 * to the same worker, whose queue is first in, first out, so a partition's files still commit
 * in offset order (a later batch's raw file never exists without the earlier ones, which the
 * next-offset rule in offsets.ts relies on). Where workers cannot start (a binary built
 * without the worker entry point), batches commit in the main thread, with the same result.
 */
import { availableParallelism } from "node:os";
import { type CommitJob, type CommitOutcome, commitBatch } from "./commit.ts";

export interface Committer {
  commit(job: CommitJob): Promise<CommitOutcome>;
  close(): void;
}

type Reply =
  | { ready: true }
  | { id: number; outcome: CommitOutcome }
  | { id: number; error: { message: string; code?: string } };

const inProcess: Committer = {
  commit: async (job) => commitBatch(job),
  close: () => undefined,
};

class WorkerPool implements Committer {
  private next = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (o: CommitOutcome) => void; reject: (e: Error) => void }
  >();
  private readonly assigned = new Map<string, Worker>();

  constructor(private readonly workers: Worker[]) {
    for (const worker of workers) {
      worker.onmessage = (event: MessageEvent<Reply>) => this.settle(event.data);
      worker.onerror = (event) => this.failAll(new Error(`audit worker failed: ${event.message}`));
    }
  }

  private settle(reply: Reply): void {
    if ("ready" in reply) return;
    const waiter = this.waiting.get(reply.id);
    if (waiter === undefined) return;
    this.waiting.delete(reply.id);
    if ("outcome" in reply) waiter.resolve(reply.outcome);
    else waiter.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  commit(job: CommitJob): Promise<CommitOutcome> {
    const key = `${job.topic}\u0000${job.partition}`;
    let worker = this.assigned.get(key);
    if (worker === undefined) {
      worker = this.workers[this.assigned.size % this.workers.length] as Worker;
      this.assigned.set(key, worker);
    }
    const id = this.next++;
    const { offsets, times, lengths, bytes } = job.records;
    const target = worker;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const transfer = [offsets.buffer, times.buffer, lengths.buffer, bytes.buffer] as ArrayBuffer[];
      target.postMessage({ id, job }, transfer);
    });
  }

  close(): void {
    for (const worker of this.workers) worker.terminate();
  }
}

// From the sources the worker sits beside this file. In a `bun build --compile` binary every
// module's import.meta.url is the binary's own (the virtual root), and the worker is there
// only when the build lists lib/audit/commit-worker.ts as an extra entry point.
const WORKER_URLS = [
  new URL("./commit-worker.ts", import.meta.url).href,
  new URL("./lib/audit/commit-worker.ts", import.meta.url).href,
];

async function startFirstWorker(): Promise<Worker | null> {
  for (const url of WORKER_URLS) {
    const worker = await startWorker(url);
    if (worker !== null) return worker;
  }
  return null;
}

function startWorker(url: string): Promise<Worker | null> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(url);
    } catch {
      resolve(null);
      return;
    }
    worker.onmessage = (event: MessageEvent<Reply>) => {
      if ("ready" in event.data) resolve(worker);
    };
    worker.onerror = () => {
      worker.terminate();
      resolve(null);
    };
  });
}

/** Up to `count` workers (default: one per core beside the fetching main thread, 1 to 3), or the main thread if none start. */
export async function startCommitter(
  count = Math.max(1, Math.min(3, availableParallelism() - 1)),
): Promise<Committer> {
  const workers = (await Promise.all(Array.from({ length: count }, startFirstWorker))).filter(
    (w) => w !== null,
  );
  return workers.length === 0 ? inProcess : new WorkerPool(workers);
}
