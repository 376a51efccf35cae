/**
 * The archive's file names and how files become durable. A data file's name is a pure function
 * of (topic, partition, first offset, last offset), as in Kafka Connect's HDFS/S3 sinks, so a
 * re-run that rebuilds the same batch writes the same name, and the names alone say which
 * offsets the archive holds. Every file is written under a temporary name, fsynced, renamed
 * into place and its directory fsynced: after a crash a file is either whole or absent.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { crashPoint, type FileKind } from "./crashpoint.ts";

export const AUDIT_DIR = "messages_audit";
export const PROCESSED_DIR = "message_processed";
export const STATE_FILE = "_dchat_audit_state.json";
export const LOCK_FILE = "_dchat_audit.lock";
export const TEMP_SUFFIX = ".tmp";

export interface FileRange {
  topic: string;
  partition: number;
  /** Offset of the first record in the file. */
  first: number;
  /** Offset of the last record in the file (inclusive, like Kafka Connect). */
  last: number;
}

// Topic names are [A-Za-z0-9._-], so "+" cannot occur inside one. Offsets are zero-padded so
// a directory listing sorts in offset order.
const OFFSET_WIDTH = 20;
const NAME = /^([A-Za-z0-9._-]+)\+(\d+)\+(\d{20})\+(\d{20})\.parquet$/;

export function dataFileName(range: FileRange): string {
  const pad = (n: number) => String(n).padStart(OFFSET_WIDTH, "0");
  return `${range.topic}+${range.partition}+${pad(range.first)}+${pad(range.last)}.parquet`;
}

export function parseDataFileName(name: string): FileRange | null {
  const m = NAME.exec(name);
  if (m === null) return null;
  return { topic: m[1] as string, partition: Number(m[2]), first: Number(m[3]), last: Number(m[4]) };
}

// Spark's ExternalCatalogUtils.escapePathName set: what a Hive partition value may not hold raw.
const HIVE_UNSAFE = /[\u0000-\u001f"#%'*/:=?\\\u007f{[\]^]/g;

/** `room=<value>` directory name, escaped the way Spark escapes partition values (%XX). */
export function hiveDir(column: string, value: string): string {
  const escaped = value.replace(
    HIVE_UNSAFE,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
  return `${column}=${escaped}`;
}

/** The value of a `column=value` directory name, or null when the name is not one. */
export function hiveValue(column: string, dirName: string): string | null {
  if (!dirName.startsWith(`${column}=`)) return null;
  const raw = dirName.slice(column.length + 1);
  try {
    return decodeURIComponent(raw.replace(/%(?![0-9A-Fa-f]{2})/g, "%25"));
  } catch {
    return raw;
  }
}

export function fsyncDir(dir: string): void {
  // Windows cannot open a directory for fsync; its renames are already metadata-journaled.
  if (process.platform === "win32") return;
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Creates `dir` and its missing parents, making each new entry durable in its parent. */
export function ensureDir(dir: string): void {
  const first = mkdirSync(dir, { recursive: true });
  if (first === undefined) return;
  // A new directory's own entry lives in its parent: sync every parent from the first created one down.
  for (let created = resolve(dir); ; created = dirname(created)) {
    fsyncDir(dirname(created));
    if (created === resolve(first)) break;
  }
}

/**
 * Writes `bytes` to `path` so that a crash at any instant leaves either the previous file (or
 * none) or the complete new one: temp file, fsync, rename over, fsync the directory.
 */
export function writeDurably(dir: string, name: string, bytes: Uint8Array, kind: FileKind): void {
  ensureDir(dir);
  const target = join(dir, name);
  const temp = `${target}${TEMP_SUFFIX}`;
  const fd = openSync(temp, "w");
  try {
    let written = 0;
    while (written < bytes.byteLength) {
      written += writeSync(fd, bytes, written, bytes.byteLength - written);
    }
    crashPoint(`${kind}.temp-write`);
    fsyncSync(fd);
    crashPoint(`${kind}.temp-fsync`);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, target);
  crashPoint(`${kind}.rename`);
  fsyncDir(dir);
  crashPoint(`${kind}.dir-fsync`);
}

/** How a durable write is done; a parameter where tests inject faults. */
export type WriteFile = (dir: string, name: string, bytes: Uint8Array, kind: FileKind) => void;

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}
