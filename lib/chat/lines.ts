/**
 * One entry of the message pane → its screen rows at a given width: `HH:MM sender: text`,
 * wrapped by display width with continuation rows indented to line up after the name.
 * All remote text (sender, message, malformed detail) passes safeLines/safeText here, before
 * anything is measured. Results are cached per entry object, since entries never change (a
 * delivery update makes a new entry) and a frame re-renders only the visible ones.
 */

import { safeLines, safeText } from "../safe-text.ts";
import { type Style, styled } from "../term/ansi.ts";
import { cellWidth, type WidthOptions, wrap } from "../width.ts";
import { LEAVE_HINT } from "../wire.ts";
import { clock } from "./clock.ts";
import { senderColor } from "./colors.ts";
import type { Entry } from "./scrollback.ts";
import type { ChatOptions } from "./state.ts";

/** Longest message text laid out; a megabyte record should not freeze the screen. */
export const MAX_TEXT_CHARS = 20_000;
/** Most rows one message may take; the rest is summarised in a marker row. */
export const MAX_ENTRY_ROWS = 200;

/** Below this many columns entries are shown as plain wrapped text. */
const NARROW = 16;
const BOT_COLOR = 44;
const NOTICE_COLOR = 178;
const ERROR_COLOR = 196;

interface Parts {
  /** Terminal-safe label shown after the time (may be empty). */
  label: string;
  labelStyle: Style;
  /** Terminal-safe text lines. */
  lines: string[];
  textStyle: Style;
  /** Extra rows after the text, e.g. the leave hint. */
  trailer?: string;
  truncated: number;
}

function textLines(text: string): { lines: string[]; truncated: number } {
  const cut = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
  const lines = safeLines(cut.normalize("NFC"));
  while (lines.length > 1 && lines[0] === "") lines.shift();
  while (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return { lines, truncated: text.length - cut.length };
}

/** A message that names us: its name and text stand out. */
const MENTION_STYLE: Style = { bold: true, fg: 214 };

function parts(entry: Entry): Parts {
  const sender = safeText(entry.sender.normalize("NFC"));
  const { lines, truncated } = textLines(entry.text);
  switch (entry.kind) {
    case "own": {
      const mark = entry.delivery === "queued" ? " … queued" : "";
      const pending = entry.delivery === "sending" || entry.delivery === "queued";
      return {
        label: `${sender}:`,
        labelStyle: { bold: true, inverse: true, fg: senderColor(entry.sender) },
        lines: mark ? [...lines.slice(0, -1), `${lines[lines.length - 1] ?? ""}${mark}`] : lines,
        textStyle: pending ? { dim: true } : {},
        truncated,
      };
    }
    case "message":
      return {
        label: `${sender}:`,
        labelStyle: entry.mention
          ? { bold: true, inverse: true, fg: senderColor(entry.sender) }
          : { bold: true, fg: senderColor(entry.sender) },
        lines,
        textStyle: entry.mention ? MENTION_STYLE : {},
        truncated,
      };
    case "bot":
      return {
        label: `${sender}:`,
        labelStyle: { bold: true, fg: BOT_COLOR },
        lines,
        textStyle: { fg: BOT_COLOR },
        truncated,
      };
    case "info":
      return {
        label: sender,
        labelStyle: { dim: true },
        lines,
        textStyle: { dim: true, italic: true },
        truncated,
      };
    case "leave":
      return {
        label: "",
        labelStyle: {},
        lines,
        textStyle: { dim: true, italic: true },
        trailer: LEAVE_HINT,
        truncated,
      };
    case "malformed":
      return {
        label: "⚠ malformed record:",
        labelStyle: { fg: ERROR_COLOR },
        lines,
        textStyle: { dim: true },
        truncated,
      };
    case "notice":
      return {
        label: "*",
        labelStyle: { fg: NOTICE_COLOR, bold: true },
        lines,
        textStyle: { fg: NOTICE_COLOR },
        truncated,
      };
  }
}

/**
 * Rows of `entry` at `cols` cells, each a styled string at most `cols` cells wide.
 * The label is truncated to a third of the width at most so the text always has room.
 */
export function renderEntry(
  entry: Entry,
  cols: number,
  options: ChatOptions,
  highlight: RegExp | null = null,
): string[] {
  const width: WidthOptions = { ambiguousWide: options.ambiguousWide };
  const p = parts(entry);
  const time = clock(entry.time);
  const color = options.color;
  if (cols < NARROW) {
    // Too narrow for a name column: plain wrapped text, the least that still shows everything.
    const all = [`${time} ${p.label} ${p.lines[0] ?? ""}`, ...p.lines.slice(1)];
    if (p.trailer) all.push(p.trailer);
    return all.flatMap((line) => wrap(line, cols, cols, width)).slice(0, MAX_ENTRY_ROWS);
  }
  let label = p.label;
  const maxLabel = Math.max(1, Math.floor(cols / 3));
  if (cellWidth(label, width) > maxLabel)
    label = `${wrap(label, maxLabel - 1, maxLabel - 1, width)[0] ?? ""}…`;
  const prefixWidth = time.length + 1 + (label ? cellWidth(label, width) + 1 : 0);
  const indent = prefixWidth <= cols / 2 ? prefixWidth : time.length + 1;
  const rows: string[] = [];
  const textWidth = Math.max(2, cols - prefixWidth);
  const restWidth = Math.max(2, cols - indent);
  let first = true;
  for (const line of p.lines) {
    const wrapped = wrap(line, first ? textWidth : restWidth, restWidth, width);
    for (const piece of wrapped) {
      if (rows.length >= MAX_ENTRY_ROWS) break;
      if (first) {
        const head = `${styled(time, { dim: true }, color)} ${label ? `${styled(label, p.labelStyle, color)} ` : ""}`;
        rows.push(head + marked(piece, p.textStyle, highlight, color));
        first = false;
      } else {
        rows.push(" ".repeat(indent) + marked(piece, p.textStyle, highlight, color));
      }
    }
  }
  if (entry.day) rows.unshift(ruleRow(entry.day, cols, options));
  const hidden = p.truncated + (rows.length >= MAX_ENTRY_ROWS ? 1 : 0);
  if (hidden > 0)
    rows.push(
      " ".repeat(indent) + styled("… (message too long; the rest is not shown)", { dim: true }, color),
    );
  if (p.trailer)
    rows.push(" ".repeat(time.length + 1) + styled(p.trailer, { dim: true, italic: true }, color));
  return rows;
}

/** `piece` in `style`, with what `highlight` matches shown in reverse video (search results). */
function marked(piece: string, style: Style, highlight: RegExp | null, color: boolean): string {
  if (!highlight) return styled(piece, style, color);
  let out = "";
  let at = 0;
  for (const match of piece.matchAll(highlight)) {
    if (match[0] === "") continue;
    out += styled(piece.slice(at, match.index), style, color);
    out += styled(match[0], { ...style, inverse: true, bold: true }, color);
    at = match.index + match[0].length;
  }
  return out + styled(piece.slice(at), style, color);
}

/** The read marker: entries below it arrived after you last read the room. */
export function markerRow(cols: number, options: ChatOptions): string {
  return ruleRow("new", cols, options);
}

/** `───── 2024-08-26 ─────` (or `── new ──`) across the pane (box drawing is "ambiguous" width, hence the fallback). */
function ruleRow(day: string, cols: number, options: ChatOptions): string {
  const rule = options.ambiguousWide ? "-" : "─";
  const label = ` ${day} `.slice(0, cols);
  const side = Math.max(0, Math.floor((cols - label.length) / 2));
  const text = `${rule.repeat(side)}${label}${rule.repeat(Math.max(0, cols - side - label.length))}`;
  return styled(text, { dim: true }, options.color);
}

const cache = new WeakMap<Entry, { key: string; rows: string[] }>();

export function entryRows(
  entry: Entry,
  cols: number,
  options: ChatOptions,
  highlight: RegExp | null = null,
): string[] {
  const key = `${cols}/${options.color}/${options.ambiguousWide}/${highlight?.source ?? ""}`;
  const hit = cache.get(entry);
  if (hit && hit.key === key) return hit.rows;
  const rows = renderEntry(entry, cols, options, highlight);
  cache.set(entry, { key, rows });
  return rows;
}
