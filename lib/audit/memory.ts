/**
 * The audit's memory policy, in one place. Bun's collector lets garbage pile up to several
 * times the live data before collecting, and a run makes garbage steadily (fetched records once
 * packed, batches once encoded). So at the two points where a lot has just become garbage, a
 * full collection runs once memory is past a budget: the peak stays bounded whatever the
 * backlog (README: ≈ 260–300 MB for 1,000,000 records), and the CPU time of a full collection
 * is spent only now and then, not at every batch.
 *
 * When a collection cannot bring memory back under its budget (live data past it: the counts
 * of a vocabulary of millions of words, memory the allocator keeps), the next one waits until
 * memory has grown by a slack beyond what that collection left: without that, every batch paid
 * a full collection of a large heap (a test process holding other tests' memory took 9 s
 * instead of 1 for 150 small batches).
 */

const MiB = 1024 * 1024;

/** Collects (`collect`) when `measure` is past `budget`, or past what the last collection left plus `slack`, whichever is higher. */
export class MemoryBudget {
  /** What the last collection left. */
  private left = 0;

  constructor(
    private readonly budget: number,
    private readonly slack: number,
    private readonly measure: () => number,
    private readonly collect: () => void,
  ) {}

  check(): void {
    if (this.measure() <= Math.max(this.budget, this.left + this.slack)) return;
    this.collect();
    this.left = this.measure();
  }
}

const fullCollection = () => Bun.gc(true);

/** This thread's heap, checked on the fetching thread after a batch of fetched records is packed. */
const fetchHeap = new MemoryBudget(96 * MiB, 32 * MiB, () => process.memoryUsage().heapUsed, fullCollection);
/** The whole process's resident size, checked wherever a batch has just been encoded. */
const preparedRss = new MemoryBudget(240 * MiB, 32 * MiB, () => process.memoryUsage.rss(), fullCollection);

/** After the fetched records packed since the last flush became garbage (batch.ts). */
export function collectAfterFlush(): void {
  fetchHeap.check();
}

/** After a batch's records and column buffers became garbage (commit.ts, in any thread). */
export function collectAfterBatch(): void {
  preparedRss.check();
}
