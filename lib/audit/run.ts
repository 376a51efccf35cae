/**
 * One audit run: lock → reconcile files with the state → for every audited partition read from
 * where the archive ends to the end of the log as it was when the run started → commit batches
 * → store the new offsets. Nothing new means no files at all.
 */
import { UserError } from "../errors.ts";
import { partitionKey } from "../partition-key.ts";
import { isInternalTopic, roomToTopic, topicToRoom } from "../rooms.ts";
import { type BatchLimits, InFlight, PartitionBatch } from "./batch.ts";
import type { CommitOutcome } from "./commit.ts";
import type { Committer } from "./committer.ts";
import { crashPoint } from "./crashpoint.ts";
import { ensureDir } from "./files.ts";
import { acquireLock } from "./lock.ts";
import {
  type Gap,
  loadState,
  nextOffset,
  reconcile,
  saveState,
  setStateOffset,
  stateOffset,
} from "./offsets.ts";
import type { PartitionRange, Source } from "./source.ts";
import { addRows, type Counts, emptyTally, settle } from "./stats.ts";

export interface RunOptions {
  out: string;
  /** Room names to audit; all rooms when neither this nor `roomPattern` is given. */
  rooms?: string[];
  roomPattern?: RegExp;
  limits: BatchLimits;
  /** Count statistics of the new messages as they are written. */
  stats: boolean;
  now: () => Date;
  warn: (line: string) => void;
  /** Records archived so far out of the run's backlog (offsets to read), after every batch. */
  progress?: (done: number, total: number) => void;
}

export interface PartitionReport {
  room: string;
  topic: string;
  partition: number;
  from: number;
  to: number;
  records: number;
  bad: number;
  files: number;
}

export interface RunReport {
  partitions: PartitionReport[];
  gaps: Gap[];
  counts: Counts;
  removedTemps: number;
  removedOrphans: number;
}

async function auditedTopics(source: Source, options: RunOptions): Promise<string[] | UserError> {
  const existing = (await source.topics()).filter((t) => !isInternalTopic(t));
  if (options.rooms !== undefined) {
    const topics: string[] = [];
    for (const room of options.rooms) {
      const topic = roomToTopic(room);
      if (topic instanceof UserError) return topic;
      if (existing.includes(topic)) topics.push(topic);
      else options.warn(`dchat audit: room "${room}" has no topic (${topic}) yet; nothing to archive there`);
    }
    return [...new Set(topics)].sort();
  }
  const pattern = options.roomPattern;
  return existing.filter((t) => pattern === undefined || pattern.test(topicToRoom(t))).sort();
}

export async function runAudit(
  source: Source,
  committer: Committer,
  options: RunOptions,
): Promise<RunReport | UserError> {
  ensureDir(options.out);
  const lock = await acquireLock(options.out);
  if (lock instanceof UserError) return lock;
  crashPoint("lock");
  try {
    return await runLocked(source, committer, options);
  } finally {
    lock.release();
  }
}

async function runLocked(
  source: Source,
  committer: Committer,
  options: RunOptions,
): Promise<RunReport | UserError> {
  const state = loadState(options.out);
  if (state instanceof UserError) return state;
  const reconciled = reconcile(options.out);
  const topics = await auditedTopics(source, options);
  if (topics instanceof UserError) return topics;

  const ranges: PartitionRange[] = [];
  const gaps: Gap[] = [];
  const reports = new Map<string, PartitionReport>();
  for (const topic of topics) {
    const room = topicToRoom(topic);
    for (const { partition, low, high } of await source.watermarks(topic)) {
      const stored = nextOffset(state, reconciled, topic, partition);
      let from = stored ?? low;
      if (from < low) {
        const gap = { room, topic, partition, from, to: low, detectedAt: options.now().toISOString() };
        gaps.push(gap);
        options.warn(
          `dchat audit: WARNING: records ${from}..${low - 1} of room "${room}" partition ${partition} were deleted by ` +
            `retention before they were archived (${low - from} records lost); archiving from ${low}`,
        );
        from = low;
      }
      if (from > high) {
        options.warn(
          `dchat audit: WARNING: room "${room}" partition ${partition} ends at offset ${high} but the archive already ` +
            `holds up to ${from}; was the topic deleted and recreated? Skipping it: move its files away to archive it again`,
        );
        ranges.push({ topic, partition, from, to: from });
        continue;
      }
      ranges.push({ topic, partition, from, to: high });
      reports.set(partitionKey(topic, partition), {
        room,
        topic,
        partition,
        from,
        to: high,
        records: 0,
        bad: 0,
        files: 0,
      });
    }
  }

  const tally = emptyTally();
  const batches = new Map<string, PartitionBatch>();
  const inFlight = new InFlight(committer.workers);
  const backlog = [...reports.values()].reduce((sum, r) => sum + (r.to - r.from), 0);
  let archived = 0;
  if (backlog > 0) options.progress?.(0, backlog);
  for (const report of reports.values()) {
    const onCommit = (outcome: CommitOutcome) => {
      archived += outcome.rows;
      options.progress?.(archived, backlog);
      report.records += outcome.rows;
      report.bad += outcome.bad;
      report.files += outcome.files;
      if (outcome.stats !== null) addRows(tally, outcome.stats);
    };
    const job = {
      out: options.out,
      room: report.room,
      topic: report.topic,
      partition: report.partition,
      stats: options.stats,
    };
    batches.set(
      partitionKey(report.topic, report.partition),
      new PartitionBatch(job, options.limits, committer, inFlight, onCommit),
    );
  }

  try {
    await source.read(ranges, {
      records: (topic, partition, records) => batches.get(partitionKey(topic, partition))?.add(records),
      done: (topic, partition) => batches.get(partitionKey(topic, partition))?.flush(),
    });
  } catch (error) {
    // Let commits under way finish, so a broken fetch does not also leave half-written batches.
    await inFlight.drain().catch(() => undefined);
    throw error;
  }
  await inFlight.drain();

  // Only now are all files durable; the state may move forward.
  let changed = gaps.length > 0;
  for (const range of ranges) {
    const before = stateOffset(state, range.topic, range.partition);
    if (range.to > range.from && before !== range.to) {
      setStateOffset(state, range.topic, range.partition, range.to);
      changed = true;
    }
  }
  state.gaps.push(...gaps);
  if (changed) {
    crashPoint("state-write");
    saveState(options.out, state);
  }

  return {
    partitions: [...reports.values()],
    gaps,
    counts: settle(tally),
    removedTemps: reconciled.removedTemps,
    removedOrphans: reconciled.removedOrphans,
  };
}
