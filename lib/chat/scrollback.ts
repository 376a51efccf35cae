/**
 * The bounded message buffer. Entries (not wrapped rows) are kept, so a resize re-wraps
 * everything; the oldest entries are dropped past `SCROLLBACK_LIMIT`.
 */
import type { Entry } from "./state.ts";

export const SCROLLBACK_LIMIT = 10_000;

export interface Scrollback {
  entries: Entry[];
  nextSeq: number;
}

export function emptyScrollback(): Scrollback {
  return { entries: [], nextSeq: 1 };
}

/** Appends entries in order (one copy of the buffer per batch, not per entry), dropping the oldest past `limit`. */
export function append(
  scrollback: Scrollback,
  added: Omit<Entry, "seq">[],
  limit = SCROLLBACK_LIMIT,
): Scrollback {
  let seq = scrollback.nextSeq;
  const fresh = added.map((entry) => ({ ...entry, seq: seq++ }));
  const entries = scrollback.entries.concat(fresh);
  return { entries: entries.length > limit ? entries.slice(entries.length - limit) : entries, nextSeq: seq };
}

/** Replaces the entry with `seq` (used to update an own message's delivery mark). */
export function patch(
  scrollback: Scrollback,
  predicate: (entry: Entry) => boolean,
  change: Partial<Entry>,
): Scrollback {
  const index = scrollback.entries.findLastIndex(predicate);
  if (index < 0) return scrollback;
  const entries = [...scrollback.entries];
  entries[index] = { ...(entries[index] as Entry), ...change };
  return { ...scrollback, entries };
}

export function indexOfSeq(scrollback: Scrollback, seq: number): number {
  const first = scrollback.entries[0];
  if (!first) return -1;
  const index = seq - first.seq;
  return index >= 0 && index < scrollback.entries.length ? index : -1;
}
