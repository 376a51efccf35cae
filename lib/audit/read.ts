/**
 * Reading chat messages back from Parquet for statistics: the only module that imports
 * hyparquet. It reads our archive (`message_processed/date=…`, counting only files whose raw
 * file is committed, so a run killed mid-batch never shows twice) and the original Spark job's
 * archive (a directory of part-*.parquet files of raw records with a string `timestamp`), to
 * which the original DAG's processing is applied here. Files are read one at a time.
 */
import { existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { UserError } from "../errors.ts";
import { parseWallClock } from "../wire.ts";
import { AUDIT_DIR, hiveValue, listDir, PROCESSED_DIR, parseDataFileName } from "./files.ts";
import type { Micros } from "./micros.ts";
import { clockMicros, flattenNewlines, isChatMessage, wallClockDate } from "./processed.ts";

export interface Message {
  room: string | null;
  sender: string;
  message: string;
  /** Local wall-clock time, zone-less microseconds. */
  localMicros: Micros;
}

export interface ReadFilter {
  room?: string;
  /** Inclusive `YYYY-MM-DD` bounds on the local date. */
  since?: string;
  until?: string;
}

const compressors = {
  ZSTD: (input: Uint8Array) => new Uint8Array(Bun.zstdDecompressSync(input)),
};

// Every timestamp unit becomes microseconds (bigint), the precision our archive keeps.
const parsers = {
  timestampFromMilliseconds: (v: bigint | number) => BigInt(v) * 1000n,
  timestampFromMicroseconds: (v: bigint | number) => BigInt(v),
  timestampFromNanoseconds: (v: bigint | number) => BigInt(v) / 1000n,
};

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function parquetFilesUnder(dir: string, filter: ReadFilter): string[] {
  const out: string[] = [];
  for (const name of listDir(dir).sort()) {
    const path = join(dir, name);
    if (isDir(path)) {
      const date = hiveValue("date", name);
      if (date !== null && ((filter.since && date < filter.since) || (filter.until && date > filter.until)))
        continue;
      out.push(...parquetFilesUnder(path, filter));
    } else if (name.endsWith(".parquet")) {
      out.push(path);
    }
  }
  return out;
}

function committedNames(auditDir: string): Set<string> {
  const names = new Set<string>();
  for (const room of listDir(auditDir)) {
    for (const name of listDir(join(auditDir, room))) if (parseDataFileName(name) !== null) names.add(name);
  }
  return names;
}

function plan(dir: string, filter: ReadFilter): string[] | UserError {
  if (!isDir(dir)) return new UserError(`no audit archive at ${dir}: give --dir DIR or set AUDIT_PATH`);
  const processedDir = existsSync(join(dir, PROCESSED_DIR))
    ? join(dir, PROCESSED_DIR)
    : basename(dir) === PROCESSED_DIR
      ? dir
      : null;
  if (processedDir === null) return parquetFilesUnder(dir, filter);
  const auditDir = join(processedDir, "..", AUDIT_DIR);
  const committed = isDir(auditDir) ? committedNames(auditDir) : null;
  return parquetFilesUnder(processedDir, filter).filter((path) => {
    const name = basename(path);
    return committed === null || parseDataFileName(name) === null || committed.has(name);
  });
}

function toMicros(value: unknown): Micros | null {
  if (typeof value === "bigint") return value;
  if (typeof value === "string") {
    const clock = parseWallClock(value);
    return clock === null ? null : clockMicros(clock);
  }
  if (value instanceof Date) return BigInt(value.getTime()) * 1000n;
  return null;
}

async function readFile(path: string, filter: ReadFilter, onMessage: (m: Message) => void): Promise<void> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const present = new Set(metadata.schema.map((s) => s.name));
  const columns = ["room", "sender", "message", "end", "timestamp"].filter((c) => present.has(c));
  const rows = (await parquetReadObjects({ file, metadata, columns, compressors, parsers })) as Record<
    string,
    unknown
  >[];
  for (const row of rows) {
    const { sender, message } = row;
    if (typeof sender !== "string" || typeof message !== "string") continue;
    if (!isChatMessage(sender, (row.end as boolean | null | undefined) ?? null)) continue;
    const localMicros = toMicros(row.timestamp);
    if (localMicros === null) continue;
    const room = typeof row.room === "string" ? row.room : null;
    if (filter.room !== undefined && room !== filter.room) continue;
    if (filter.since !== undefined || filter.until !== undefined) {
      const date = wallClockDate(localMicros);
      if ((filter.since && date < filter.since) || (filter.until && date > filter.until)) continue;
    }
    onMessage({ room, sender, message: flattenNewlines(message), localMicros });
  }
}

/** Calls `onMessage` for every processed chat message of the archive at `dir` that passes `filter`. */
export async function readMessages(
  dir: string,
  filter: ReadFilter,
  onMessage: (m: Message) => void,
): Promise<{ files: number } | UserError> {
  const planned = plan(dir, filter);
  if (planned instanceof UserError) return planned;
  for (const path of planned) {
    try {
      await readFile(path, filter, onMessage);
    } catch (error) {
      return new UserError(`cannot read ${path} as Parquet: ${(error as Error).message}`);
    }
  }
  return { files: planned.length };
}
