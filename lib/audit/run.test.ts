/**
 * runAudit's exactly-once core with faults injected at its seams: an in-memory Source (the
 * Kafka side) and a committer whose N-th file write fails half-written, for every N of a run.
 * After any such failure the run fails, and the next healthy run leaves an archive holding
 * every record once and every chat message once in the processed view.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { encode } from "../wire.ts";
import { inProcessCommitter } from "./committer.ts";
import { AUDIT_DIR, ensureDir, PROCESSED_DIR, TEMP_SUFFIX, type WriteFile } from "./files.ts";
import type { SourceRecord } from "./processed.ts";
import { type RunOptions, runAudit } from "./run.ts";
import type { Source } from "./source.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "dchat-run-"));
  dirs.push(dir);
  return dir;
};

/** Two rooms, three partitions: chat over two dates, joins, leaves and bad records. */
function emptyTopics(): Map<string, SourceRecord[][]> {
  return new Map([
    ["room-a", [[], []]],
    ["room-b", [[]]],
  ]);
}

let produced = 0;

/** Appends a chunk of new records to every partition (11, 9 and 6: batches of 5 and rests). */
function append(topics: Map<string, SourceRecord[][]>): void {
  const sizes = [11, 9, 6];
  let at = 0;
  for (const partitions of topics.values()) {
    for (const records of partitions) {
      for (let i = 0; i < (sizes[at] as number); i++) {
        const n = produced++;
        const value =
          n % 9 === 4
            ? new TextEncoder().encode(`not json ${n}`)
            : encode({
                sender: n % 7 === 0 ? "[INFO]" : `user${n % 3}`,
                message: `메시지 ${n}`,
                end: n % 11 === 0,
                timestamp: n % 2 === 0 ? "2024-08-26T23:59:59.5" : "2024-08-27T00:00:00",
              });
        records.push({ offset: records.length, timestampMs: Date.UTC(2024, 7, 26) + n, value });
      }
      at++;
    }
  }
}

/** A Source over in-memory partitions, delivering a few records at a time, partitions interleaved. */
function memorySource(topics: Map<string, SourceRecord[][]>): Source {
  return {
    topics: async () => [...topics.keys()],
    watermarks: async (topic) =>
      (topics.get(topic) ?? []).map((records, partition) => ({ partition, low: 0, high: records.length })),
    async read(ranges, handlers) {
      const cursors = ranges
        .filter((r) => r.from < r.to)
        .map((r) => ({ ...r, at: r.from, records: topics.get(r.topic)?.[r.partition] ?? [] }));
      while (cursors.some((c) => c.at < c.to)) {
        for (const c of cursors.filter((c) => c.at < c.to)) {
          const chunk = c.records.slice(c.at, Math.min(c.at + 4, c.to));
          c.at += chunk.length;
          await handlers.records(c.topic, c.partition, chunk);
          if (c.at >= c.to) await handlers.done(c.topic, c.partition);
        }
      }
    },
    close: async () => undefined,
  };
}

const options = (out: string): RunOptions => ({
  out,
  limits: { maxRecords: 5, maxBytes: 1 << 20 },
  stats: true,
  now: () => new Date(0),
  warn: (line) => {
    throw new Error(`unexpected warning: ${line}`);
  },
});

class DiskFull extends Error {
  code = "ENOSPC";
}

/**
 * writeDurably's temp-file-and-rename without its fsyncs (what is tested here is the protocol,
 * not the disk), except the n-th write: half its bytes land in the temp file, then the disk is full.
 */
function failingAt(n: number): { write: WriteFile; writes: () => number } {
  let count = 0;
  return {
    writes: () => count,
    write(dir, name, bytes) {
      count++;
      ensureDir(dir);
      const temp = join(dir, `${name}${TEMP_SUFFIX}`);
      if (count === n) {
        writeFileSync(temp, bytes.subarray(0, bytes.byteLength >> 1));
        throw new DiskFull(`no space left writing ${name}`);
      }
      writeFileSync(temp, bytes);
      renameSync(temp, join(dir, name));
    },
  };
}

const compressors = { ZSTD: (input: Uint8Array) => new Uint8Array(Bun.zstdDecompressSync(input)) };
async function fileRows(path: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file, compressors, columns: ["topic", "partition", "offset"] });
}

async function datasetKeys(dir: string): Promise<string[]> {
  const keys: string[] = [];
  for (const sub of readdirSync(dir)) {
    for (const name of readdirSync(join(dir, sub))) {
      expect(name.endsWith(".parquet")).toBe(true);
      for (const row of await fileRows(join(dir, sub, name)))
        keys.push(`${row.topic}/${row.partition}/${row.offset}`);
    }
  }
  return keys.sort();
}

/** The archive holds every record once, and the chat messages once in the processed view. */
async function expectArchiveEqualsSource(out: string, topics: Map<string, SourceRecord[][]>): Promise<void> {
  const all: string[] = [];
  const chat: string[] = [];
  for (const [topic, partitions] of topics) {
    partitions.forEach((records, partition) => {
      for (const record of records) {
        const key = `${topic}/${partition}/${record.offset}`;
        all.push(key);
        const text = new TextDecoder().decode(record.value ?? new Uint8Array());
        if (text.startsWith("{") && !text.includes('"[INFO]"') && !text.includes('"end": true'))
          chat.push(key);
      }
    });
  }
  expect(await datasetKeys(join(out, AUDIT_DIR))).toEqual(all.sort());
  expect(await datasetKeys(join(out, PROCESSED_DIR))).toEqual(chat.sort());
}

test("the records have what the fault test needs: bad records, joins, leaves, two dates", () => {
  const topics = emptyTopics();
  append(topics);
  const values = [...topics.values()].flat(2).map((r) => new TextDecoder().decode(r.value ?? undefined));
  expect(values.some((v) => v.startsWith("not json"))).toBe(true);
  expect(values.some((v) => v.includes('"[INFO]"'))).toBe(true);
  expect(values.some((v) => v.includes('"end": true'))).toBe(true);
  expect(new Set(values.map((v) => /"timestamp": "(\d{4}-\d\d-\d\d)/.exec(v)?.[1]))).toEqual(
    new Set(["2024-08-26", "2024-08-27", undefined]),
  );
});

test("a committer failing at write N, for every N of a run: the run fails, the next one archives everything once", async () => {
  // One archive, growing: each round brings new records, a run fails at its N-th write, and a
  // healthy run must then leave the archive equal to the source, until N passes the run's writes.
  const topics = emptyTopics();
  const out = freshDir();
  for (let n = 1; ; n++) {
    append(topics);
    const failing = failingAt(n);
    const outcome = await runAudit(
      memorySource(topics),
      inProcessCommitter(failing.write),
      options(out),
    ).then(
      () => "finished",
      (error: unknown) => error,
    );
    if (outcome === "finished") {
      // N passed the run's writes, after a fault at each earlier N.
      expect(failing.writes()).toBeLessThan(n);
      expect(n - 1).toBeGreaterThanOrEqual(10);
      await expectArchiveEqualsSource(out, topics);
      break;
    }
    expect(outcome).toBeInstanceOf(DiskFull);
    // Other partitions' batches may still be written after the fault.
    expect(failing.writes()).toBeGreaterThanOrEqual(n);

    const again = await runAudit(memorySource(topics), inProcessCommitter(failingAt(0).write), options(out));
    if ("message" in again) throw new Error(again.message);
    expect(again.removedTemps).toBeGreaterThanOrEqual(1);
    await expectArchiveEqualsSource(out, topics);
    // And a run after that finds nothing new.
    const third = await runAudit(memorySource(topics), inProcessCommitter(failingAt(0).write), options(out));
    if ("message" in third) throw new Error(third.message);
    expect(third.partitions.reduce((sum, p) => sum + p.records, 0)).toBe(0);
  }
});
