/**
 * The bounded message buffer. Entries (not wrapped rows) are kept, so a resize re-wraps
 * everything; the oldest entries are dropped past `SCROLLBACK_LIMIT`.
 *
 * States are immutable, and Kafka hands over records in small batches (a flood is over a
 * thousand batches a second), so copying a 10,000-entry array per batch made ~200 MB/s of
 * garbage. Entries are kept in fixed-size chunks instead: a full chunk never changes and is
 * shared by every later state, so an append copies only the last chunk and the chunk list.
 */
export type EntryKind = "message" | "own" | "info" | "bot" | "leave" | "malformed" | "notice";

/** Delivery of one of our own messages. */
export type Delivery = "sending" | "sent" | "queued";

/** One item of the message pane. Text is raw here; the view makes it terminal-safe. */
export interface Entry {
  seq: number;
  kind: EntryKind;
  time: Date | null;
  sender: string;
  text: string;
  /** Set on own messages: the id the send effect carries. */
  sendId?: number;
  delivery?: Delivery;
  /** Set when this entry is the first of a new local day: a "day changed" row goes above it. */
  day?: string;
  /** The message names us (highlighted). */
  mention?: boolean;
}

export const SCROLLBACK_LIMIT = 10_000;
const CHUNK = 128;

export interface Scrollback {
  /** Every chunk but the last holds exactly CHUNK entries. */
  readonly chunks: readonly (readonly Entry[])[];
  /** Entries of chunks[0] already dropped (the buffer starts there). */
  readonly start: number;
  readonly length: number;
  readonly nextSeq: number;
}

export function emptyScrollback(): Scrollback {
  return { chunks: [], start: 0, length: 0, nextSeq: 1 };
}

/** The entry at `index` (0 = oldest kept), if any. */
export function entryAt(scrollback: Scrollback, index: number): Entry | undefined {
  if (index < 0 || index >= scrollback.length) return undefined;
  const at = scrollback.start + index;
  return scrollback.chunks[Math.floor(at / CHUNK)]?.[at % CHUNK];
}

export function lastEntry(scrollback: Scrollback): Entry | undefined {
  return entryAt(scrollback, scrollback.length - 1);
}

/** All entries, oldest first (a copy: for tests and rare whole-buffer uses). */
export function entriesOf(scrollback: Scrollback): Entry[] {
  return Array.from({ length: scrollback.length }, (_, i) => entryAt(scrollback, i) as Entry);
}

/** Appends entries in order, dropping the oldest past `limit`. */
export function append(
  scrollback: Scrollback,
  added: Omit<Entry, "seq">[],
  limit = SCROLLBACK_LIMIT,
): Scrollback {
  if (added.length === 0) return scrollback;
  let seq = scrollback.nextSeq;
  const chunks = scrollback.chunks.slice();
  const last = chunks.at(-1);
  let tail: Entry[] = last && last.length < CHUNK ? [...(chunks.pop() as Entry[])] : [];
  for (const entry of added) {
    if (tail.length === CHUNK) {
      chunks.push(tail);
      tail = [];
    }
    tail.push({ ...entry, seq: seq++ });
  }
  chunks.push(tail);
  let length = scrollback.length + added.length;
  let start = scrollback.start;
  if (length > limit) {
    start += length - limit;
    length = limit;
  }
  const whole = Math.floor(start / CHUNK);
  return {
    chunks: whole > 0 ? chunks.slice(whole) : chunks,
    start: start - whole * CHUNK,
    length,
    nextSeq: seq,
  };
}

/** Replaces the newest entry matching `predicate` (used to update an own message's delivery mark). */
export function patch(
  scrollback: Scrollback,
  predicate: (entry: Entry) => boolean,
  change: Partial<Entry>,
): Scrollback {
  for (let index = scrollback.length - 1; index >= 0; index--) {
    const entry = entryAt(scrollback, index) as Entry;
    if (!predicate(entry)) continue;
    const at = scrollback.start + index;
    const chunkIndex = Math.floor(at / CHUNK);
    const chunk = [...(scrollback.chunks[chunkIndex] as Entry[])];
    chunk[at % CHUNK] = { ...entry, ...change };
    const chunks = scrollback.chunks.slice();
    chunks[chunkIndex] = chunk;
    return { ...scrollback, chunks };
  }
  return scrollback;
}

export function indexOfSeq(scrollback: Scrollback, seq: number): number {
  const first = entryAt(scrollback, 0);
  if (!first) return -1;
  const index = seq - first.seq;
  return index >= 0 && index < scrollback.length ? index : -1;
}
