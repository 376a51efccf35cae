/**
 * One entry of the message pane → its styled screen rows: the rows entry-rows.ts lays out,
 * coloured by kind (each sender their colour, own messages reversed, problems red, search
 * matches reversed). Cached per entry object, as a frame re-renders only the visible ones.
 */
import { type Style, styled } from "../term/ansi.ts";
import { senderColor } from "./colors.ts";
import { entryRows as layOut, type Row } from "./entry-rows.ts";
import type { Entry } from "./scrollback.ts";
import type { ChatOptions } from "./state.ts";

const BOT_COLOR = 44;
const NOTICE_COLOR = 178;
const ERROR_COLOR = 196;

/** A message that names us: its name and text stand out. */
const MENTION_STYLE: Style = { bold: true, fg: 214 };

function styles(entry: Entry): { label: Style; text: Style } {
  switch (entry.kind) {
    case "own": {
      const pending = entry.delivery === "sending" || entry.delivery === "queued";
      return {
        label: { bold: true, inverse: true, fg: senderColor(entry.sender) },
        text: pending ? { dim: true } : {},
      };
    }
    case "message":
      return entry.mention
        ? { label: { bold: true, inverse: true, fg: senderColor(entry.sender) }, text: MENTION_STYLE }
        : { label: { bold: true, fg: senderColor(entry.sender) }, text: {} };
    case "bot":
      return { label: { bold: true, fg: BOT_COLOR }, text: { fg: BOT_COLOR } };
    case "info":
      return { label: { dim: true }, text: { dim: true, italic: true } };
    case "leave":
      return { label: {}, text: { dim: true, italic: true } };
    case "malformed":
      return { label: { fg: ERROR_COLOR }, text: { dim: true } };
    case "notice":
      return { label: { fg: NOTICE_COLOR, bold: true }, text: { fg: NOTICE_COLOR } };
  }
}

function styledRow(
  row: Row,
  style: { label: Style; text: Style },
  cols: number,
  options: ChatOptions,
  highlight: RegExp | null,
): string {
  const color = options.color;
  switch (row.kind) {
    case "plain":
      return row.text;
    case "day":
      return ruleRow(row.day, cols, options);
    case "head":
      return `${styled(row.time, { dim: true }, color)} ${row.label ? `${styled(row.label, style.label, color)} ` : ""}${marked(row.text, style.text, highlight, color)}`;
    case "text":
      return " ".repeat(row.indent) + marked(row.text, style.text, highlight, color);
    case "cut":
      return (
        " ".repeat(row.indent) + styled("… (message too long; the rest is not shown)", { dim: true }, color)
      );
    case "trailer":
      return " ".repeat(row.indent) + styled(row.text, { dim: true, italic: true }, color);
  }
}

/** Rows of `entry` at `cols` cells, each a styled string at most `cols` cells wide. */
export function renderEntry(
  entry: Entry,
  cols: number,
  options: ChatOptions,
  highlight: RegExp | null = null,
): string[] {
  const style = styles(entry);
  return layOut(entry, cols, { ambiguousWide: options.ambiguousWide }).map((row) =>
    styledRow(row, style, cols, options, highlight),
  );
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
