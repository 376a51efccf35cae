/**
 * Where a run's time goes, measured piece by piece in this process: the Kafka fetch alone
 * (kafkajs through our source, records dropped; beside it the same fetch with kafkajs's own
 * record decoding, which lib/kafka's small-long.ts and fetch-records.ts replace), then on a
 * sample of the same payloads, a batch of 10,000 at a time as a run commits them: decoding alone
 * (the fast decoder for the wire's shape, and the general one for comparison), preparing the
 * batches (decode, Parquet encoding, processed-view files written) without and with the
 * statistics' rows, counting those rows (the main thread's share of the statistics), and the
 * raw files' durable writes. Figures are per record, scaled to the whole run.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { commitPrepared, type PreparedBatch, pack, prepareBatch } from "../../lib/audit/commit.ts";
import { wallClockMicros, wallClockMicrosOfBytes } from "../../lib/audit/processed.ts";
import { kafkaSource } from "../../lib/audit/source.ts";
import { addRows, emptyTally, settle } from "../../lib/audit/stats.ts";
import { decodeFetchedRecordsFast } from "../../lib/kafka/fetch-records.ts";
import { useSmallLongs } from "../../lib/kafka/small-long.ts";
import { parseRecord } from "../../lib/wire.ts";
import { RecordScanner } from "../../lib/wire-fast.ts";
import { clientFor } from "../../test/audit/support.ts";

interface Options {
  payloadFile: string;
  sample: number;
  brokers: string;
  topic: string;
  records: number;
}

/**
 * The file's first `count` lines, read no further: the whole payload in memory (200 MB for a
 * million records) would put this process past the audit's memory budget, and every batch
 * measured here would then pay a full collection (memory.ts) that a real run does not.
 */
function firstLines(path: string, count: number): Buffer[] {
  const fd = openSync(path, "r");
  const lines: Buffer[] = [];
  let pending = Buffer.alloc(0);
  try {
    const chunk = Buffer.alloc(1024 * 1024);
    for (let read = readSync(fd, chunk); read > 0 && lines.length < count; read = readSync(fd, chunk)) {
      const data = Buffer.concat([pending, chunk.subarray(0, read)]);
      let start = 0;
      for (let end = data.indexOf(10); end >= 0 && lines.length < count; end = data.indexOf(10, start)) {
        lines.push(Buffer.from(data.subarray(start, end)));
        start = end + 1;
      }
      pending = Buffer.from(data.subarray(start));
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

/** Wall and CPU seconds: on a shared machine the CPU figure is the steadier one. */
interface Spent {
  wall: number;
  cpu: number;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function time<T>(work: () => T | Promise<T>): Promise<[T, Spent]> {
  // Each piece starts on a clean heap: the garbage of the one before is not its cost.
  Bun.gc(true);
  const [wall, cpu] = [performance.now(), cpuSeconds()];
  const result = await work();
  return [result, { wall: (performance.now() - wall) / 1000, cpu: cpuSeconds() - cpu }];
}

/**
 * The quickest of a few rounds, by CPU time: the run's workers are warm after their first
 * batches, and a round that happens to collect the previous round's garbage says nothing
 * about the work measured.
 */
async function best<T>(work: () => T, rounds = 3): Promise<[T, Spent]> {
  let quickest = await time(work);
  for (let round = 1; round < rounds; round++) {
    const next = await time(work);
    if (next[1].cpu < quickest[1].cpu) quickest = next;
  }
  return quickest;
}

const minus = (a: Spent, b: Spent): Spent => ({ wall: a.wall - b.wall, cpu: a.cpu - b.cpu });

export async function breakdown({ payloadFile, sample, brokers, topic, records }: Options): Promise<string> {
  const sourceRecords = firstLines(payloadFile, sample).map((value, offset) => ({
    offset,
    timestampMs: 1_724_634_000_000 + offset,
    value,
  }));
  const decodeWith = (fast: boolean) => () => {
    for (const r of sourceRecords) {
      const scanned = fast ? scanner.scan(r.value) : null;
      if (scanned !== null) {
        wallClockMicrosOfBytes(scanned.text, r.timestampMs, scanned.timestampStart, scanned.timestampEnd);
        continue;
      }
      const parsed = parseRecord(r.value);
      if (parsed.ok) wallClockMicros(parsed.record.timestamp, r.timestampMs);
    }
  };
  const scanner = new RecordScanner();
  decodeWith(true)();
  const [, generalS] = await best(decodeWith(false));
  const [, decodeS] = await best(decodeWith(true));
  const dir = mkdtempSync(`${tmpdir()}/dchat-bench-`);
  const prepareAll = (stats: boolean) => {
    const prepared: PreparedBatch[] = [];
    for (let start = 0; start < sourceRecords.length; start += 10_000) {
      const records = pack(sourceRecords.slice(start, start + 10_000));
      prepared.push(prepareBatch({ out: dir, room: "room", topic, partition: 0, records, stats }));
    }
    return prepared;
  };
  const [prepared, prepareS] = await best(() => prepareAll(false));
  const [withStats, withStatsS] = await best(() => prepareAll(true));
  const [, countS] = await best(() => {
    const tally = emptyTally();
    for (const batch of withStats) if (batch.outcome.stats !== null) addRows(tally, batch.outcome.stats);
    return settle(tally);
  });
  const [, writeS] = await time(() => {
    for (const batch of prepared) commitPrepared(batch);
  });
  const archiveBytes = prepared.reduce((n, b) => n + b.raw.byteLength, 0);
  rmSync(dir, { recursive: true, force: true });

  // The fetch last: the memory it leaves behind would make every batch above pay a full
  // collection (memory.ts) that a run's workers, in threads of their own, do not.
  const source = await kafkaSource(clientFor(brokers));
  const ranges = (await source.watermarks(topic)).map((w) => ({
    topic,
    partition: w.partition,
    from: w.low,
    to: w.high,
  }));
  let fetched = 0;
  const fetchAll = () =>
    time(() => {
      fetched = 0;
      return source.read(ranges, {
        records: (_t, _p, batch) => {
          fetched += batch.length;
        },
        done: () => undefined,
      });
    });
  // The reference: the same fetch with kafkajs's own record decoding (what lib/kafka's
  // small-long.ts and fetch-records.ts replace), in this process just before ours.
  const restoreLongs = useSmallLongs();
  const restoreRecords = decodeFetchedRecordsFast();
  restoreLongs();
  restoreRecords();
  const [, kafkajsFetchS] = await fetchAll();
  useSmallLongs();
  decodeFetchedRecordsFast();
  const [, fetchS] = await fetchAll();
  await source.close();

  const scale = records / sample;
  const scaled = (spent: Spent): Spent => ({ wall: spent.wall * scale, cpu: spent.cpu * scale });
  const fmt = (label: string, spent: Spent) =>
    `  ${label.padEnd(44)} ${spent.wall.toFixed(2).padStart(7)} s ${spent.cpu.toFixed(2).padStart(7)} CPU s  ${Math.round(
      records / spent.wall,
    )
      .toLocaleString("en-US")
      .padStart(11)} records/s`;
  return [
    `where dchat's time goes (fetch measured over all ${records.toLocaleString("en-US")} records; the rest on ${sample.toLocaleString("en-US")}, scaled; one thread, load ${loadavg()[0]?.toFixed(2)}):`,
    fmt(`fetch (${fetched.toLocaleString("en-US")} records, our decoding)`, fetchS),
    fmt("  (kafkajs's own record decoding would take)", kafkajsFetchS),
    fmt("prepare (decode, Parquet, processed files)", scaled(prepareS)),
    fmt("  of which decode (fast decoder, timestamps)", scaled(decodeS)),
    fmt("    (the general decoder alone would take)", scaled(generalS)),
    fmt("  of which Parquet and processed files", scaled(minus(prepareS, decodeS))),
    // A difference of two best-of-3 timings: on a busy machine it can come out at or below zero.
    fmt("statistics' rows (with − without, ≤ 0 noise)", scaled(minus(withStatsS, prepareS))),
    fmt("statistics counted (main thread)", scaled(countS)),
    fmt("raw files' durable write (fsync, rename)", scaled(writeS)),
    `  raw file size: ${(archiveBytes / sample).toFixed(1)} B per record`,
  ].join("\n");
}
