/**
 * The worker pool's ordering (orderedCommits) with batches finishing preparation out of order:
 * each partition's raw files, the commit points, are still written in offset order, partitions
 * do not wait for each other, and a failed batch stops its partition's later raw files.
 */
import { expect, test } from "bun:test";
import type { CommitJob, PreparedBatch } from "./commit.ts";
import { orderedCommits } from "./committer.ts";

interface Pending {
  job: CommitJob;
  resolve: () => void;
  reject: (error: Error) => void;
}

function job(partition: number, first: number): CommitJob {
  const offsets = Float64Array.from({ length: 10 }, (_, i) => first + i);
  return {
    out: "/nowhere",
    room: "r",
    topic: "t",
    partition,
    stats: false,
    records: { offsets, times: new Float64Array(10), lengths: new Int32Array(10), bytes: new Uint8Array() },
  };
}

const label = (j: CommitJob) => `${j.partition}:${j.records.offsets[0]}`;

/** A pool whose preparations finish when the test says, and which records the raw writes. */
function controlledPool() {
  const pending = new Map<string, Pending>();
  const rawWrites: string[] = [];
  const commit = orderedCommits(
    (j) =>
      new Promise<PreparedBatch>((resolve, reject) => {
        const prepared = {
          rawDir: "/nowhere",
          name: label(j),
          raw: new Uint8Array(),
          outcome: { rows: 10, bad: 0, files: 1, stats: null },
        };
        pending.set(label(j), { job: j, resolve: () => resolve(prepared), reject });
      }),
    (prepared) => {
      rawWrites.push(prepared.name);
      return prepared.outcome;
    },
  );
  const finish = async (name: string, error?: Error) => {
    const p = pending.get(name);
    if (p === undefined) throw new Error(`no batch ${name}`);
    if (error === undefined) p.resolve();
    else p.reject(error);
    // Let every continuation that can run, run.
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { commit, finish, rawWrites };
}

test("batches prepared in reverse order: raw files per partition in offset order, partitions independent", async () => {
  const { commit, finish, rawWrites } = controlledPool();
  const outcomes = ["0:0", "0:10", "0:20", "1:0", "1:10"].map((name) => {
    const [partition, first] = name.split(":").map(Number) as [number, number];
    return commit(job(partition, first));
  });

  await finish("1:10");
  await finish("0:20");
  await finish("0:10");
  expect(rawWrites).toEqual([]);
  await finish("1:0");
  // Partition 1 is complete without waiting for partition 0's first batch.
  expect(rawWrites).toEqual(["1:0", "1:10"]);
  await finish("0:0");
  expect(rawWrites).toEqual(["1:0", "1:10", "0:0", "0:10", "0:20"]);
  expect((await Promise.all(outcomes)).map((o) => o.rows)).toEqual([10, 10, 10, 10, 10]);
});

test("a batch that fails: its partition's later raw files are never written, other partitions go on", async () => {
  const { commit, finish, rawWrites } = controlledPool();
  const first = commit(job(0, 0));
  const second = commit(job(0, 10));
  const other = commit(job(1, 0));
  first.catch(() => undefined);
  second.catch(() => undefined);

  await finish("0:10");
  await finish("1:0");
  await finish("0:0", new Error("disk full"));
  await expect(first).rejects.toThrow("disk full");
  await expect(second).rejects.toThrow("disk full");
  expect((await other).rows).toBe(10);
  expect(rawWrites).toEqual(["1:0"]);
});
