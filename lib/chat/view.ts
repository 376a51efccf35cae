/**
 * view(state) → the whole screen as a Frame: one styled string per row, the message pane's
 * scroll region, and where the real cursor goes (the input caret, so the terminal draws the
 * IME's composing syllable in the right place). Pure; lib/term/screen.ts turns frames into
 * the few bytes that changed.
 */

import { safeText } from "../safe-text.ts";
import { styled } from "../term/ansi.ts";
import type { Frame } from "../term/frame.ts";
import { cellWidth, fit, type WidthOptions } from "../width.ts";
import { inputView, PROMPT, PROMPT_WIDTH } from "./input.ts";
import { layout, type Pane, paneOf, visibleRows } from "./layout.ts";
import { entryRows, markerRow } from "./lines.ts";
import { roomBar } from "./roombar.ts";
import { entryAt } from "./scrollback.ts";
import { searchPattern } from "./search.ts";
import { type Connection, isLeaving, unsentCount } from "./session-state.ts";
import { type ChatState, shown } from "./state.ts";

const CONNECTION_LABEL: Record<Connection, string> = {
  connecting: "◌ connecting…",
  connected: "● connected",
  reconnecting: "○ connection lost, reconnecting…",
};

const CONNECTION_COLOR: Record<Connection, number> = { connecting: 178, connected: 78, reconnecting: 196 };

/** The hints at the right of the status line, most useful first. */
function hints(state: ChatState, lines: number): string[] {
  const room = shown(state);
  if (state.status) return [safeText(state.status)];
  if (room.search) {
    const where = room.search.match === null ? "not found" : "Ctrl-R older · Ctrl-S newer · Esc back";
    return [`search: ${safeText(room.search.query)}▏ ${where}`];
  }
  const out: string[] = [];
  const unsent = unsentCount(state.session);
  if (unsent > 0) out.push(`${unsent} unsent`);
  if (lines > 1) out.push(`Enter sends ${lines} lines`);
  if (room.anchor) out.push(room.unread > 0 ? `${room.unread} new ↓ End` : "scrolled ↑ End");
  return out;
}

function statusLine(state: ChatState, width: WidthOptions, lines: number): string {
  const { cols } = state.size;
  const color = state.options.color;
  const room = shown(state);
  const list = hints(state, lines);
  let right = list.length ? ` ${list.join(" · ")} ` : "";
  if (cellWidth(right, width) > cols) right = fit(right, cols, width);
  const avail = cols - cellWidth(right, width);
  const left = ` ${roomBar(state, Math.max(0, avail - 12), width)} · ${safeText(state.user)} · `;
  const leftWidth = cellWidth(left, width);
  const head = leftWidth <= avail ? left : fit(left, avail, width);
  const label = isLeaving(state.session) ? "leaving…" : CONNECTION_LABEL[room.connection];
  const conn = leftWidth < avail ? fit(label, avail - leftWidth, width) : "";
  return (
    styled(head, { inverse: true }, color) +
    styled(conn, { inverse: true, bold: true, fg: CONNECTION_COLOR[room.connection] }, color) +
    styled(right, { inverse: true, bold: room.unread > 0 || state.status !== null }, color)
  );
}

/** The message pane's visible rows, drawn. */
function paneRows(pane: Pane, height: number, highlight: RegExp | null): string[] {
  const { cols } = pane.size;
  return visibleRows(pane, height).map(({ index, row }) => {
    const entry = entryAt(pane.scrollback, index);
    if (!entry) return "";
    const marked = entry.seq === pane.marker;
    if (marked && row === 0) return markerRow(cols, pane.options);
    return entryRows(entry, cols, pane.options, highlight)[marked ? row - 1 : row] ?? "";
  });
}

export function view(state: ChatState): Frame {
  const { cols, rows } = state.size;
  const width: WidthOptions = { ambiguousWide: state.options.ambiguousWide };
  const color = state.options.color;
  const l = layout(rows);
  const room = shown(state);
  const highlight = room.search ? searchPattern(room.search.query) : null;
  const out: string[] = paneRows(paneOf(state), l.paneRows, highlight);
  while (out.length < l.paneRows) out.push("");
  const input = inputView(room.editor.text, room.editor.caret, cols, l.inputRows, width);
  if (l.statusRow !== null) out.push(statusLine(state, width, room.editor.text.split("\n").length));
  for (let i = 0; i < l.inputRows; i++) {
    const text = input.rows[i];
    if (text === undefined) {
      out.push("");
      continue;
    }
    const absolute = input.first + i;
    const prompt =
      absolute === 0
        ? styled(PROMPT, { bold: true }, color)
        : i === 0
          ? styled(state.options.ambiguousWide ? "  ^  " : "  ↑  ", { dim: true }, color)
          : " ".repeat(PROMPT_WIDTH);
    out.push(cols > PROMPT_WIDTH ? prompt + text : fit(text, cols, width));
  }
  return {
    rows: out,
    cols,
    region: l.paneRows >= 2 ? { top: 0, bottom: l.paneRows - 1 } : null,
    cursor: { row: l.inputTop + input.caret.row, col: input.caret.col },
  };
}
