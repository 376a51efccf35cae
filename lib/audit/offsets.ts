/**
 * Where each partition's archive ends, and the crash reconciliation that makes it exact.
 *
 * The committed data files are the truth (Kafka Connect's rule): a raw file
 * `messages_audit/room=R/<topic>+<p>+<first>+<last>.parquet` exists only once it is complete,
 * so the next offset of a partition is at least `max(last) + 1` over its files. The state file
 * is written (atomically) only after the files it describes are durable, so it never claims
 * data that is not there; it may run ahead of the files when a range held no visible records
 * (aborted transactions, control markers), and it remembers retention gaps. Next offset =
 * max(files, state).
 *
 * Processed files of a batch are written before its raw file and carry the same name, so a raw
 * file's existence means its processed files are complete too. A processed file without a
 * raw file of the same name is left from a run killed in between: reconcile deletes it (the
 * next run rebuilds that range, maybe with different boundaries), as it deletes temp files.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.ts";
import { partitionKey } from "../partition-key.ts";
import {
  AUDIT_DIR,
  dataFileName,
  fsyncDir,
  listDir,
  PROCESSED_DIR,
  parseDataFileName,
  removeFile,
  STATE_FILE,
  TEMP_SUFFIX,
  writeDurably,
} from "./files.ts";

export interface Gap {
  room: string;
  topic: string;
  partition: number;
  /** First offset lost (inclusive). */
  from: number;
  /** First offset still in the log (exclusive end of the gap). */
  to: number;
  detectedAt: string;
}

export interface State {
  version: 1;
  /** topic → partition → next offset to archive. */
  next: Record<string, Record<string, number>>;
  gaps: Gap[];
}

export function emptyState(): State {
  return { version: 1, next: {}, gaps: [] };
}

export function loadState(out: string): State | UserError {
  const path = join(out, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
    return new UserError(`cannot read the audit state ${path}: ${(error as Error).message}`);
  }
  try {
    const state = JSON.parse(text) as State;
    if (state.version !== 1 || typeof state.next !== "object" || !Array.isArray(state.gaps))
      throw new Error();
    return state;
  } catch {
    return new UserError(
      `the audit state ${path} is not a dchat audit state file: move it away to rebuild offsets from the archive's files`,
    );
  }
}

export function saveState(out: string, state: State): void {
  writeDurably(out, STATE_FILE, new TextEncoder().encode(`${JSON.stringify(state, null, 2)}\n`), "state");
}

export function stateOffset(state: State, topic: string, partition: number): number | undefined {
  return state.next[topic]?.[String(partition)];
}

export function setStateOffset(state: State, topic: string, partition: number, next: number): void {
  const topicOffsets = state.next[topic] ?? {};
  topicOffsets[String(partition)] = next;
  state.next[topic] = topicOffsets;
}

export interface Reconciled {
  /** partitionKey → next offset implied by committed raw files. */
  filesNext: Map<string, number>;
  removedTemps: number;
  removedOrphans: number;
}

function subdirs(dir: string): string[] {
  return listDir(dir).map((name) => join(dir, name));
}

/** Scans the archive, deletes temp files and orphan processed files, returns what files commit. */
export function reconcile(out: string): Reconciled {
  const filesNext = new Map<string, number>();
  const rawNames = new Set<string>();
  let removedTemps = 0;
  let removedOrphans = 0;
  for (const dir of subdirs(join(out, AUDIT_DIR))) {
    for (const name of listDir(dir)) {
      if (name.endsWith(TEMP_SUFFIX)) {
        removeFile(join(dir, name));
        removedTemps++;
        continue;
      }
      const range = parseDataFileName(name);
      if (range === null) continue;
      rawNames.add(dataFileName(range));
      const key = partitionKey(range.topic, range.partition);
      filesNext.set(key, Math.max(filesNext.get(key) ?? 0, range.last + 1));
    }
  }
  for (const dir of subdirs(join(out, PROCESSED_DIR))) {
    let changed = false;
    for (const name of listDir(dir)) {
      const isTemp = name.endsWith(TEMP_SUFFIX);
      const orphan = !isTemp && parseDataFileName(name) !== null && !rawNames.has(name);
      if (!isTemp && !orphan) continue;
      removeFile(join(dir, name));
      changed = true;
      if (isTemp) removedTemps++;
      else removedOrphans++;
    }
    if (changed) fsyncDir(dir);
  }
  const stateTemp = join(out, `${STATE_FILE}${TEMP_SUFFIX}`);
  if (listDir(out).includes(`${STATE_FILE}${TEMP_SUFFIX}`)) {
    removeFile(stateTemp);
    removedTemps++;
  }
  return { filesNext, removedTemps, removedOrphans };
}

/** Next offset to archive: the committed files win over a state file that lags them. */
export function nextOffset(
  state: State,
  reconciled: Reconciled,
  topic: string,
  partition: number,
): number | undefined {
  const fromFiles = reconciled.filesNext.get(partitionKey(topic, partition));
  const fromState = stateOffset(state, topic, partition);
  if (fromFiles === undefined) return fromState;
  if (fromState === undefined) return fromFiles;
  return Math.max(fromFiles, fromState);
}
