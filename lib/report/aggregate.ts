/**
 * What a report shows, gathered in one pass over the archive: the statistics `audit stats`
 * computes (the same tally, so the numbers agree), plus messages per minute, per-room counts and
 * the archive's first and last message. Only aggregates: the report's size does not grow with
 * the number of messages.
 */

import { floorDiv } from "../audit/micros.ts";
import type { Message } from "../audit/read.ts";
import { addMessage, type Entry, emptyTally, settle, summarize, type Tally } from "../audit/stats.ts";

export type Unit = "minute" | "hour" | "day" | "month" | "year";

export interface RoomCount {
  /** The room's name; null for an archive without rooms (the original Spark job's). */
  room: string | null;
  messages: number;
  senders: number;
}

export interface ReportData {
  messages: number;
  senders: number;
  distinctWords: number;
  /** Local wall-clock time of the first and last message, `YYYY-MM-DD HH:MM`. */
  first: string | null;
  last: string | null;
  /** Messages per unit from the first message's to the last's, empty units included. */
  timeline: { unit: Unit; points: [string, number][] };
  users: Entry[];
  words: Entry[];
  times: Entry[];
  rooms: RoomCount[];
}

export interface Gathering {
  tally: Tally;
  /** Messages per minute, keyed by whole minutes of zone-less wall-clock time. */
  minutes: Map<number, number>;
  rooms: Map<string | null, { messages: number; senders: Set<string> }>;
}

export function startGathering(): Gathering {
  return { tally: emptyTally(), minutes: new Map(), rooms: new Map() };
}

export function gather(g: Gathering, m: Message): void {
  addMessage(g.tally, m.sender, m.message, m.localMicros);
  const minute = floorDiv(m.localMicros, 60_000_000);
  g.minutes.set(minute, (g.minutes.get(minute) ?? 0) + 1);
  let room = g.rooms.get(m.room);
  if (room === undefined) {
    room = { messages: 0, senders: new Set() };
    g.rooms.set(m.room, room);
  }
  room.messages++;
  room.senders.add(m.sender);
}

const LABEL_LENGTH = { minute: 16, hour: 13, day: 10, month: 7, year: 4 } as const;

/**
 * Minutes when the span is a few hours, hours up to two weeks, days up to three years, then
 * months, and years past a century (a sender's clock can claim any year): a few hundred to a
 * few thousand points whatever the archive.
 */
export function unitFor(spanMinutes: number): Unit {
  if (spanMinutes <= 6 * 60) return "minute";
  if (spanMinutes <= 14 * 1440) return "hour";
  if (spanMinutes <= 3 * 366 * 1440) return "day";
  if (spanMinutes <= 100 * 366 * 1440) return "month";
  return "year";
}

/** The unit a minute falls in, as a whole number that counts units. */
function bucket(minute: number, unit: Unit): number {
  if (unit === "minute") return minute;
  if (unit === "hour") return Math.floor(minute / 60);
  if (unit === "day") return Math.floor(minute / 1440);
  const date = new Date(minute * 60_000);
  return unit === "month" ? date.getUTCFullYear() * 12 + date.getUTCMonth() : date.getUTCFullYear();
}

/** The minute a unit starts at. */
function bucketStart(at: number, unit: Unit): number {
  if (unit === "minute") return at;
  if (unit === "hour") return at * 60;
  if (unit === "day") return at * 1440;
  const [year, month] = unit === "month" ? [Math.floor(at / 12), at % 12] : [at, 0];
  const date = new Date(0);
  date.setUTCFullYear(year, month, 1);
  return Math.floor(date.getTime() / 60_000);
}

function label(minute: number, unit: Unit): string {
  const iso = new Date(minute * 60_000).toISOString();
  // Years past 9999 or before 0 carry a sign and six digits; keep the date part whole.
  const shift = iso.startsWith("+") || iso.startsWith("-") ? 3 : 0;
  const text = iso.slice(0, LABEL_LENGTH[unit] + shift).replace("T", " ");
  return unit === "hour" ? `${text}:00` : text;
}

function bounds(minutes: Map<number, number>): [number, number] | null {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const minute of minutes.keys()) {
    if (minute < first) first = minute;
    if (minute > last) last = minute;
  }
  return minutes.size === 0 ? null : [first, last];
}

function timeline(minutes: Map<number, number>): ReportData["timeline"] {
  const span = bounds(minutes);
  if (span === null) return { unit: "minute", points: [] };
  const [first, last] = span;
  const unit = unitFor(last - first);
  const start = bucket(first, unit);
  const counts = new Array<number>(bucket(last, unit) - start + 1).fill(0);
  for (const [minute, n] of minutes) {
    const at = bucket(minute, unit) - start;
    counts[at] = (counts[at] ?? 0) + n;
  }
  return { unit, points: counts.map((n, i) => [label(bucketStart(start + i, unit), unit), n]) };
}

export function finish(g: Gathering, top: { users: number; words: number }): ReportData {
  const summary = summarize(settle(g.tally), Math.max(top.users, top.words));
  const span = bounds(g.minutes);
  const rooms = [...g.rooms]
    .map(([room, r]) => ({ room, messages: r.messages, senders: r.senders.size }))
    .sort((a, b) => b.messages - a.messages || String(a.room).localeCompare(String(b.room)));
  return {
    messages: summary.messages,
    senders: summary.senders,
    distinctWords: summary.distinctWords,
    first: span === null ? null : label(span[0], "minute"),
    last: span === null ? null : label(span[1], "minute"),
    timeline: timeline(g.minutes),
    users: summary.users.slice(0, top.users),
    words: summary.words.slice(0, top.words),
    times: summary.times.slice(0, top.users),
    rooms,
  };
}
