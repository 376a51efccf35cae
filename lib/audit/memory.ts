/**
 * The audit's memory policy, in one place. Bun's collector lets garbage pile up to several
 * times the live data before collecting, and a run makes garbage steadily (fetched records once
 * packed, batches once encoded). So at the two points where a lot has just become garbage, a
 * full collection runs once memory is past a budget: the peak stays bounded whatever the
 * backlog (README: ≈ 260–300 MB for 1,000,000 records), and the CPU time of a full collection
 * is spent only now and then, not at every batch.
 */

const MiB = 1024 * 1024;
/** This thread's heap, checked on the fetching thread after a batch of fetched records is packed. */
const FETCH_HEAP_BUDGET = 96 * MiB;
/** The whole process's resident size, checked wherever a batch has just been encoded. */
const PREPARED_RSS_BUDGET = 240 * MiB;

/** After the fetched records packed since the last flush became garbage (batch.ts). */
export function collectAfterFlush(): void {
  if (process.memoryUsage().heapUsed > FETCH_HEAP_BUDGET) Bun.gc(true);
}

/** After a batch's records and column buffers became garbage (commit.ts, in any thread). */
export function collectAfterBatch(): void {
  if (process.memoryUsage.rss() > PREPARED_RSS_BUDGET) Bun.gc(true);
}
