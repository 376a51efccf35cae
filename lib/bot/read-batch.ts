/**
 * A batch of one room partition's records → the answers to write and what became of every
 * record (respond.ts decides each one; this only gathers the verdicts for run.ts).
 *
 * A record written inside a transaction is never a question. The bot reads its rooms
 * read_uncommitted (lib/kafka/group.ts says why), so when it reads such a record it cannot know
 * whether its transaction commits or aborts. The only transactional writer of a room is the
 * bot itself (its answers, aborted ones included); dchat's clients and the original Python
 * ones write outside transactions. Ignoring every transactional record keeps each verdict a
 * function of the stored record alone, the same at every re-read after a restart.
 */
import { topicToRoom } from "../rooms.ts";
import { BOT_SENDER, encode, textRecord } from "../wire.ts";
import type { RecordOutcome } from "./metrics.ts";
import type { MovieDb } from "./movies.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { respond } from "./respond.ts";
import type { Answer } from "./transactions.ts";

export const REPLY_TO_HEADER = "dchat-reply-to";

export interface BatchRecord {
  offset: string;
  timestamp: string;
  value: Buffer | null;
  transactional: boolean;
}

export interface Asked {
  offset: string;
  sender: string;
  text: string;
  timestampMs: number;
}

export interface ReadBatch {
  answers: Answer[];
  asked: Asked[];
  outcomes: Record<RecordOutcome, number>;
  malformed: { offset: string; problem: string; detail: string }[];
  limited: { offset: string; sender: string }[];
}

export function readBatch(
  topic: string,
  partition: number,
  records: BatchRecord[],
  context: { db: MovieDb; limiter: RateLimiter; nowMs: number },
): ReadBatch {
  const room = topicToRoom(topic);
  const read: ReadBatch = {
    answers: [],
    asked: [],
    outcomes: { answered: 0, rate_limited: 0, malformed: 0, ignored: 0 },
    malformed: [],
    limited: [],
  };
  for (const record of records) {
    if (record.transactional) {
      read.outcomes.ignored++;
      continue;
    }
    const timestampMs = Number(record.timestamp);
    const where = `${topic}/${partition}/${record.offset}`;
    const outcome = respond(record.value, timestampMs, { ...context, room, record: where });
    if (outcome.kind === "malformed") {
      read.outcomes.malformed++;
      read.malformed.push({ offset: record.offset, problem: outcome.problem, detail: outcome.detail });
    } else if (outcome.kind === "limited") {
      read.outcomes.rate_limited++;
      read.limited.push({ offset: record.offset, sender: outcome.sender });
    } else if (outcome.kind === "ignore") {
      read.outcomes.ignored++;
    } else {
      read.outcomes.answered++;
      read.answers.push({
        topic,
        partition,
        value: encode(textRecord(BOT_SENDER, outcome.text, new Date())),
        headers: { [REPLY_TO_HEADER]: where },
      });
      read.asked.push({ offset: record.offset, sender: outcome.sender, text: outcome.text, timestampMs });
    }
  }
  return read;
}
