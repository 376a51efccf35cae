/**
 * Where one entry of the message pane breaks into screen rows at a width — `HH:MM sender: text`,
 * wrapped by display width with continuation rows indented to line up after the name — as plain
 * text, without styles. Scrolling (update) counts these rows; drawing (lines.ts) styles them.
 * All remote text (sender, message, malformed detail) passes safeLines/safeText here, before
 * anything is measured. Results are cached per entry object: entries never change (a delivery
 * update makes a new entry).
 */
import { safeLines, safeText } from "../safe-text.ts";
import { cellWidth, type WidthOptions, wrap } from "../width.ts";
import { LEAVE_HINT } from "../wire.ts";
import { clock } from "./clock.ts";
import type { Entry } from "./scrollback.ts";

/** Longest message text laid out; a megabyte record should not freeze the screen. */
export const MAX_TEXT_CHARS = 20_000;
/** Most rows one message may take; the rest is summarised in a marker row. */
export const MAX_ENTRY_ROWS = 200;
/** Below this many columns entries are shown as plain wrapped text. */
const NARROW = 16;

export type Row =
  /** A too-narrow pane: plain wrapped text. */
  | { kind: "plain"; text: string }
  /** The `──── 2024-08-27 ────` row above the first entry of a day. */
  | { kind: "day"; day: string }
  /** The first row: time, label and the start of the text. */
  | { kind: "head"; time: string; label: string; text: string }
  | { kind: "text"; indent: number; text: string }
  /** The text was cut (too long). */
  | { kind: "cut"; indent: number }
  /** The leave hint below a leave record. */
  | { kind: "trailer"; indent: number; text: string };

function textLines(text: string): { lines: string[]; truncated: number } {
  const cut = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
  const lines = safeLines(cut.normalize("NFC"));
  while (lines.length > 1 && lines[0] === "") lines.shift();
  while (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return { lines, truncated: text.length - cut.length };
}

/** Terminal-safe label and text lines of an entry, and what follows the text. */
function parts(entry: Entry): { label: string; lines: string[]; trailer?: string; truncated: number } {
  const sender = safeText(entry.sender.normalize("NFC"));
  const { lines, truncated } = textLines(entry.text);
  switch (entry.kind) {
    case "own": {
      const mark = entry.delivery === "queued" ? " … queued" : "";
      const marked = mark ? [...lines.slice(0, -1), `${lines[lines.length - 1] ?? ""}${mark}`] : lines;
      return { label: `${sender}:`, lines: marked, truncated };
    }
    case "message":
    case "bot":
      return { label: `${sender}:`, lines, truncated };
    case "info":
      return { label: sender, lines, truncated };
    case "leave":
      return { label: "", lines, trailer: LEAVE_HINT, truncated };
    case "malformed":
      return { label: "⚠ malformed record:", lines, truncated };
    case "notice":
      return { label: "*", lines, truncated };
  }
}

/**
 * Rows of `entry` at `cols` cells, each at most `cols` cells wide once drawn. The label is
 * truncated to a third of the width at most so the text always has room.
 */
function layOut(entry: Entry, cols: number, width: WidthOptions): Row[] {
  const p = parts(entry);
  const time = clock(entry.time);
  if (cols < NARROW) {
    // Too narrow for a name column: plain wrapped text, the least that still shows everything.
    const all = [`${time} ${p.label} ${p.lines[0] ?? ""}`, ...p.lines.slice(1)];
    if (p.trailer) all.push(p.trailer);
    return all
      .flatMap((line) => wrap(line, cols, cols, width))
      .slice(0, MAX_ENTRY_ROWS)
      .map((text) => ({ kind: "plain", text }));
  }
  let label = p.label;
  const maxLabel = Math.max(1, Math.floor(cols / 3));
  if (cellWidth(label, width) > maxLabel)
    label = `${wrap(label, maxLabel - 1, maxLabel - 1, width)[0] ?? ""}…`;
  const prefixWidth = time.length + 1 + (label ? cellWidth(label, width) + 1 : 0);
  const indent = prefixWidth <= cols / 2 ? prefixWidth : time.length + 1;
  const rows: Row[] = [];
  const textWidth = Math.max(2, cols - prefixWidth);
  const restWidth = Math.max(2, cols - indent);
  for (const line of p.lines) {
    for (const text of wrap(line, rows.length === 0 ? textWidth : restWidth, restWidth, width)) {
      if (rows.length >= MAX_ENTRY_ROWS) break;
      rows.push(rows.length === 0 ? { kind: "head", time, label, text } : { kind: "text", indent, text });
    }
  }
  const full = rows.length >= MAX_ENTRY_ROWS;
  if (entry.day) rows.unshift({ kind: "day", day: entry.day });
  if (p.truncated > 0 || full) rows.push({ kind: "cut", indent });
  if (p.trailer) rows.push({ kind: "trailer", indent: time.length + 1, text: p.trailer });
  return rows;
}

const cache = new WeakMap<Entry, { key: string; rows: Row[] }>();

export function entryRows(entry: Entry, cols: number, width: WidthOptions): Row[] {
  const key = `${cols}/${width.ambiguousWide}`;
  const hit = cache.get(entry);
  if (hit && hit.key === key) return hit.rows;
  const rows = layOut(entry, cols, width);
  cache.set(entry, { key, rows });
  return rows;
}
