/**
 * One partition's records on their way into files. Records collect as fetched until the batch
 * holds `maxRecords` records or `maxBytes` of values (bounded memory whatever the backlog),
 * then go to the committer (commit.ts does the writing). A few commits may be in flight at
 * once across partitions; past that, the fetch waits for the oldest.
 */
import type { CommitJob, CommitOutcome } from "./commit.ts";
import { pack } from "./commit.ts";
import type { Committer } from "./committer.ts";
import type { SourceRecord } from "./processed.ts";

/** Two workers (a 2-core machine) each preparing a batch and one batch waiting for the first free one. */
const MAX_IN_FLIGHT = 2;
/**
 * Past this much heap (this thread's) a flush ends with a full collection: the collector
 * otherwise lets fetched-and-packed records pile up to several times the live data.
 */
const HEAP_BUDGET = 48 * 1024 * 1024;

export interface BatchLimits {
  maxRecords: number;
  maxBytes: number;
}

/** Commits under way across all partitions; the first failure fails the run. */
export class InFlight {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  add(commit: Promise<void>): void {
    const tracked: Promise<void> = commit
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Waits until fewer than MAX_IN_FLIGHT commits are under way (failures surface in drain). */
  async room(): Promise<void> {
    while (this.pending.size >= MAX_IN_FLIGHT) await Promise.race(this.pending);
  }

  async drain(): Promise<void> {
    await Promise.all(this.pending);
    if (this.failure !== null) throw this.failure.error;
  }
}

export class PartitionBatch {
  private records: SourceRecord[] = [];
  private bytes = 0;

  constructor(
    private readonly job: Omit<CommitJob, "records">,
    private readonly limits: BatchLimits,
    private readonly committer: Committer,
    private readonly inFlight: InFlight,
    private readonly onCommit: (outcome: CommitOutcome) => void,
  ) {}

  async add(records: readonly SourceRecord[]): Promise<void> {
    for (const record of records) {
      this.records.push(record);
      this.bytes += record.value?.byteLength ?? 0;
      if (this.records.length >= this.limits.maxRecords || this.bytes >= this.limits.maxBytes)
        await this.flush();
    }
  }

  /** Sends what has collected to be committed; resolves once there is room for more. */
  flush(): Promise<void> {
    if (this.records.length === 0) return this.inFlight.room();
    const records = pack(this.records);
    this.records = [];
    this.bytes = 0;
    this.inFlight.add(this.committer.commit({ ...this.job, records }).then(this.onCommit));
    // The fetched records just packed are garbage now; see HEAP_BUDGET.
    if (process.memoryUsage().heapUsed > HEAP_BUDGET) Bun.gc(true);
    return this.inFlight.room();
  }
}
