/**
 * Where a run's time goes, measured piece by piece in this process: the Kafka fetch alone
 * (kafkajs through our source, records dropped), then on a sample of the same payloads the
 * decode into rows, the processed view, the statistics, the Parquet encoding and the durable
 * write. Figures are per record, scaled to the whole run.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { auditFile, processedFile } from "../../lib/audit/archive.ts";
import { writeDurably } from "../../lib/audit/files.ts";
import { auditRow, processedByDate } from "../../lib/audit/processed.ts";
import { kafkaSource } from "../../lib/audit/source.ts";
import { addMessage, emptyCounts } from "../../lib/audit/stats.ts";
import { kafkaFor } from "../../test/audit/support.ts";

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
  const source = await kafkaSource(kafkaFor(brokers));
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
  const values = lines.map((line) => Buffer.from(line, "latin1"));
  const [rows, decodeS] = time(() =>
    values.map((value, offset) =>
      auditRow("room", topic, 0, { offset, timestampMs: 1_724_634_000_000, value }),
    ),
  );
  const [byDate, processS] = time(() => processedByDate(rows));
  const [, statsS] = time(() => {
    const counts = emptyCounts();
    for (const list of byDate.values())
      for (const r of list) addMessage(counts, r.sender, r.message, r.localTimeMicros);
  });
  // As batch.ts encodes: row groups of 10,000 rows, one processed file per date.
  const [bytes, encodeS] = time(() => {
    const raw = auditFile();
    for (let start = 0; start < rows.length; start += 10_000) raw.add(rows.slice(start, start + 10_000));
    const files = [raw.finish()];
    for (const list of byDate.values()) {
      const file = processedFile();
      for (let start = 0; start < list.length; start += 10_000) file.add(list.slice(start, start + 10_000));
      files.push(file.finish());
    }
    return files;
  });
  const dir = mkdtempSync(`${tmpdir()}/dchat-bench-`);
  const [, writeS] = time(() => {
    for (const [i, b] of bytes.entries()) writeDurably(dir, `f${i}.parquet`, b);
  });
  rmSync(dir, { recursive: true, force: true });

  const scale = records / sample;
  const fmt = (label: string, seconds: number) =>
    `  ${label.padEnd(34)} ${seconds.toFixed(2).padStart(7)} s  ${Math.round(records / seconds)
      .toLocaleString("en-US")
      .padStart(11)} records/s`;
  const archiveBytes = bytes.reduce((n, b) => n + b.byteLength, 0);
  return [
    `where dchat's time goes (fetch measured over all ${records.toLocaleString("en-US")} records; the rest on ${sample.toLocaleString("en-US")}, scaled):`,
    fmt(`fetch (kafkajs, ${fetched.toLocaleString("en-US")} records)`, fetchSeconds),
    fmt("decode (JSON → typed row)", decodeS * scale),
    fmt("processed view", processS * scale),
    fmt("statistics (senders, words, minutes)", statsS * scale),
    fmt("Parquet encode (zstd)", encodeS * scale),
    fmt("durable write (fsync, rename)", writeS * scale),
    `  Parquet size: ${(archiveBytes / sample).toFixed(1)} B per record (raw + processed)`,
  ].join("\n");
}
