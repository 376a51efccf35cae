/**
 * Where batches are committed. Decoding, statistics and Parquet encoding cost several times the
 * fetch, so worker threads prepare batches (everything up to the raw file, commit.ts) while the
 * main thread keeps fetching; a batch goes to the worker with the fewest batches under way. The
 * main thread never prepares one itself while workers run: on two cores the worker sat idle
 * while it did (nothing was fetched for it meanwhile), and JSC compiled the preparing code in
 * both threads (bench/audit: 0.5 CPU s more per million records, 6% slower). The raw files, the
 * commit points, are written here in the main thread in each partition's offset order, whatever
 * order the batches are prepared in: a later batch's raw file never exists without the earlier
 * ones, which the next-offset rule in offsets.ts relies on. Where workers cannot start (a binary
 * built without the worker entry point), batches commit in the main thread, with the same result.
 */
import { availableParallelism } from "node:os";
import { partitionKey } from "../partition-key.ts";
import {
  type CommitJob,
  type CommitOutcome,
  commitPrepared,
  type PreparedBatch,
  prepareBatch,
  reuseValues,
} from "./commit.ts";
import { crashCounters } from "./crashpoint.ts";
import { type WriteFile, writeDurably } from "./files.ts";

export interface Committer {
  commit(job: CommitJob): Promise<CommitOutcome>;
  close(): void;
  /** Worker threads preparing batches; 0 when the main thread does all of it. */
  readonly workers: number;
}

type Reply =
  | { ready: true }
  | { id: number; prepared: PreparedBatch; values: ArrayBuffer }
  | { id: number; error: { message: string; code?: string } };

/**
 * Every batch committed right here, one after the other, with the pool's rule that a failed
 * batch stops its partition's later raw files; `write` is where tests inject faults.
 */
export function inProcessCommitter(write: WriteFile = writeDurably): Committer {
  const commit = orderedCommits(
    async (job) => {
      const prepared = prepareBatch(job, write);
      reuseValues(job.records.bytes.buffer as ArrayBuffer);
      return prepared;
    },
    (prepared) => commitPrepared(prepared, write),
  );
  return { commit, close: () => undefined, workers: 0 };
}

/**
 * Batches prepared by `prepare`, finishing in any order, committed by `writeRaw` in each
 * partition's order of `commit` calls (offset order). After a failed batch the partition's
 * later raw files are never written.
 */
export function orderedCommits(
  prepare: (job: CommitJob) => Promise<PreparedBatch>,
  writeRaw: (prepared: PreparedBatch) => CommitOutcome = commitPrepared,
): (job: CommitJob) => Promise<CommitOutcome> {
  /** Per partition, the raw-file write of its latest batch: the next one waits for it. */
  const committed = new Map<string, Promise<CommitOutcome>>();
  return (job) => {
    const key = partitionKey(job.topic, job.partition);
    const prepared = prepare(job);
    const previous = committed.get(key) ?? Promise.resolve(null);
    const outcome = Promise.all([previous, prepared]).then(([, batch]) => writeRaw(batch));
    committed.set(key, outcome);
    return outcome;
  };
}

interface Waiter {
  resolve: (prepared: PreparedBatch) => void;
  reject: (error: Error) => void;
}

class WorkerPool implements Committer {
  private next = 0;
  private readonly waiting = new Map<number, Waiter>();
  /** Batches sent to each worker and not answered yet. */
  private readonly load = new Map<Worker, number>();
  readonly commit = orderedCommits((job) => this.prepare(job));

  get workers(): number {
    return this.pool.length;
  }

  constructor(private readonly pool: Worker[]) {
    const counters = crashCounters();
    for (const worker of pool) {
      if (counters !== null) worker.postMessage({ crashCounters: counters });
      worker.onmessage = (event: MessageEvent<Reply>) => this.settle(worker, event.data);
      worker.onerror = (event) => this.failAll(new Error(`audit worker failed: ${event.message}`));
    }
  }

  private settle(worker: Worker, reply: Reply): void {
    if ("ready" in reply) return;
    const waiter = this.waiting.get(reply.id);
    if (waiter === undefined) return;
    this.waiting.delete(reply.id);
    this.load.set(worker, (this.load.get(worker) ?? 1) - 1);
    if ("prepared" in reply) {
      reuseValues(reply.values);
      waiter.resolve(reply.prepared);
    } else waiter.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  /** On the worker with the fewest batches under way (a worker prepares its batches in turn). */
  private prepare(job: CommitJob): Promise<PreparedBatch> {
    let worker = this.pool[0] as Worker;
    for (const candidate of this.pool)
      if ((this.load.get(candidate) ?? 0) < (this.load.get(worker) ?? 0)) worker = candidate;
    this.load.set(worker, (this.load.get(worker) ?? 0) + 1);
    const id = this.next++;
    const { offsets, times, lengths, bytes } = job.records;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const transfer = [offsets.buffer, times.buffer, lengths.buffer, bytes.buffer] as ArrayBuffer[];
      worker.postMessage({ id, job }, transfer);
    });
  }

  close(): void {
    for (const worker of this.pool) worker.terminate();
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

/** Up to `count` workers (default: one per core beside the main thread, 1 to 3), or the main thread alone if none start. */
export async function startCommitter(
  count = Math.max(1, Math.min(3, availableParallelism() - 1)),
): Promise<Committer> {
  const workers = (await Promise.all(Array.from({ length: count }, startFirstWorker))).filter(
    (w) => w !== null,
  );
  return workers.length === 0 ? inProcessCommitter() : new WorkerPool(workers);
}
