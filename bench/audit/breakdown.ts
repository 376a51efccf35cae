/**
 * Where a run's time goes, measured piece by piece in this process: the Kafka fetch alone
 * (kafkajs through our source, records dropped), then on a sample of the same payloads, a batch
 * of 10,000 at a time as a run commits them: decoding alone (the fast decoder for the wire's
 * shape, and the general one for comparison), preparing the batches (decode, Parquet encoding,
 * processed-view files written) without and with the statistics, and the raw files' durable
 * writes. Figures are per record, scaled to the whole run.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { commitPrepared, type PreparedBatch, pack, prepareBatch } from "../../lib/audit/commit.ts";
import { wallClockMicros } from "../../lib/audit/processed.ts";
import { kafkaSource } from "../../lib/audit/source.ts";
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

function time<T>(work: () => T): [T, number] {
  const started = performance.now();
  const result = work();
  return [result, (performance.now() - started) / 1000];
}

export async function breakdown({ payloadFile, sample, brokers, topic, records }: Options): Promise<string> {
  const source = await kafkaSource(clientFor(brokers));
  const ranges = (await source.watermarks(topic)).map((w) => ({
    topic,
    partition: w.partition,
    from: w.low,
    to: w.high,
  }));
  let fetched = 0;
  const fetchStart = performance.now();
  await source.read(ranges, {
    records: (_t, _p, batch) => {
      fetched += batch.length;
    },
    done: () => undefined,
  });
  const fetchSeconds = (performance.now() - fetchStart) / 1000;
  await source.close();

  const lines = readFileSync(payloadFile, "latin1").split("\n").slice(0, sample);
  const sourceRecords = lines.map((line, offset) => ({
    offset,
    timestampMs: 1_724_634_000_000 + offset,
    value: Buffer.from(line, "latin1"),
  }));
  const decodeWith = (fast: boolean) => () => {
    for (const r of sourceRecords) {
      const scanned = fast ? scanner.scan(r.value) : null;
      if (scanned !== null) {
        wallClockMicros(scanned.timestamp, r.timestampMs);
        continue;
      }
      const parsed = parseRecord(r.value);
      if (parsed.ok) wallClockMicros(parsed.record.timestamp, r.timestampMs);
    }
  };
  const scanner = new RecordScanner();
  decodeWith(true)();
  const [, generalS] = time(decodeWith(false));
  const [, decodeS] = time(decodeWith(true));
  const dir = mkdtempSync(`${tmpdir()}/dchat-bench-`);
  const prepareAll = (stats: boolean) => {
    const prepared: PreparedBatch[] = [];
    for (let start = 0; start < sourceRecords.length; start += 10_000) {
      const records = pack(sourceRecords.slice(start, start + 10_000));
      prepared.push(prepareBatch({ out: dir, room: "room", topic, partition: 0, records, stats }));
    }
    return prepared;
  };
  prepareAll(false); // warm-up: the run's workers are warm after their first batches too
  const [prepared, prepareS] = time(() => prepareAll(false));
  const [, withStatsS] = time(() => prepareAll(true));
  const [, writeS] = time(() => {
    for (const batch of prepared) commitPrepared(batch);
  });
  const archiveBytes = prepared.reduce((n, b) => n + b.raw.byteLength, 0);
  rmSync(dir, { recursive: true, force: true });

  const scale = records / sample;
  const fmt = (label: string, seconds: number) =>
    `  ${label.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s  ${Math.round(records / seconds)
      .toLocaleString("en-US")
      .padStart(11)} records/s`;
  return [
    `where dchat's time goes (fetch measured over all ${records.toLocaleString("en-US")} records; the rest on ${sample.toLocaleString("en-US")}, scaled):`,
    fmt(`fetch (kafkajs, ${fetched.toLocaleString("en-US")} records)`, fetchSeconds),
    fmt("prepare (decode, Parquet, processed files)", prepareS * scale),
    fmt("  of which decode (fast decoder, timestamps)", decodeS * scale),
    fmt("    (the general decoder alone would take)", generalS * scale),
    fmt("  of which Parquet and processed files", (prepareS - decodeS) * scale),
    fmt("statistics (senders, words, minutes)", (withStatsS - prepareS) * scale),
    fmt("raw files' durable write (fsync, rename)", writeS * scale),
    `  raw file size: ${(archiveBytes / sample).toFixed(1)} B per record`,
  ].join("\n");
}
