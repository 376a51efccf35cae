/**
 * Where things go on the screen for a terminal size, and which wrapped rows of the scrollback
 * are visible. Pure; shared by update (scrolling) and view (drawing). Rows are counted from
 * entry-rows.ts's layout; drawing them is lines.ts's, which only the view uses.
 *
 *   rows 0 .. paneRows-1   message pane (a DECSTBM scroll region when it has 2+ rows)
 *   row  paneRows          status line: room, user, connection, "N new" hint
 *   last inputRows rows    input pane with the `YOU: ` prompt
 *
 * Short terminals degrade: a 1-row input pane below 6 rows, no status line below 3.
 */
import { entryRows } from "./entry-rows.ts";
import { entryAt, indexOfSeq, type Scrollback } from "./scrollback.ts";
import { type ChatOptions, type ChatState, type ScrollAnchor, type Size, shown } from "./state.ts";

export interface Layout {
  paneRows: number;
  statusRow: number | null;
  inputTop: number;
  inputRows: number;
}

export function layout(rows: number): Layout {
  const inputRows = rows >= 6 ? 3 : 1;
  const statusRows = rows >= 3 ? 1 : 0;
  const paneRows = Math.max(0, rows - inputRows - statusRows);
  return { paneRows, statusRow: statusRows ? paneRows : null, inputTop: rows - inputRows, inputRows };
}

/** What the message pane shows: the shown room's scrollback at the terminal's size. */
export interface Pane {
  scrollback: Scrollback;
  anchor: ScrollAnchor | null;
  /** A `── new ──` row goes above the entry with this seq. */
  marker: number | null;
  size: Size;
  options: ChatOptions;
}

export function paneOf(state: ChatState): Pane {
  const room = shown(state);
  return {
    scrollback: room.scrollback,
    anchor: room.anchor,
    marker: room.marker,
    size: state.size,
    options: state.options,
  };
}

/**
 * A wrapped row of the scrollback: entry index and row within that entry (row 0 is the read
 * marker's when the marker is above the entry).
 */
export interface Position {
  index: number;
  row: number;
}

/** How many rows the entry at `index` takes (with the read marker's above it). */
function rowCount(state: Pane, index: number): number {
  const entry = entryAt(state.scrollback, index);
  if (!entry) return 0;
  const rows = entryRows(entry, state.size.cols, { ambiguousWide: state.options.ambiguousWide }).length;
  return entry.seq === state.marker ? rows + 1 : rows;
}

/** The bottom row of the view: the anchor (clamped to what still exists) or the newest row. */
function bottom(state: Pane): Position | null {
  if (state.scrollback.length === 0) return null;
  if (state.anchor) {
    const found = indexOfSeq(state.scrollback, state.anchor.seq);
    const index = Math.max(found, 0);
    const count = rowCount(state, index);
    return { index, row: found < 0 ? 0 : Math.min(state.anchor.row, count - 1) };
  }
  const last = state.scrollback.length - 1;
  return { index: last, row: rowCount(state, last) - 1 };
}

/** Moves `steps` rows up (negative: down); stops at either end. Returns the position and steps left. */
function step(state: Pane, from: Position, steps: number): { at: Position; left: number } {
  let { index, row } = from;
  let left = steps;
  while (left > 0) {
    if (row > 0) row--;
    else if (index > 0) {
      index--;
      row = rowCount(state, index) - 1;
    } else break;
    left--;
  }
  while (left < 0) {
    if (row < rowCount(state, index) - 1) row++;
    else if (index < state.scrollback.length - 1) {
      index++;
      row = 0;
    } else break;
    left++;
  }
  return { at: { index, row }, left };
}

/** The message pane's rows, oldest first (top-aligned when there are fewer than `height`). */
export function visibleRows(state: Pane, height: number): Position[] {
  const end = bottom(state);
  if (!end || height <= 0) return [];
  const out: Position[] = [];
  let { index, row } = end;
  while (out.length < height && index >= 0) {
    while (row >= 0 && out.length < height) out.push({ index, row: row-- });
    index--;
    if (index >= 0) row = rowCount(state, index) - 1;
  }
  return out.reverse();
}

/**
 * The anchor after scrolling `delta` rows up (negative: down). Null means "back at the bottom".
 * Scrolling up never goes past the point where the first row is at the top of the pane.
 */
export function scrolled(state: Pane, delta: number, height: number): ScrollAnchor | null {
  const from = bottom(state);
  if (!from) return null;
  const moved = step(state, from, delta).at;
  const last = state.scrollback.length - 1;
  const lastRow = rowCount(state, last) - 1;
  if (delta < 0 && moved.index === last && moved.row === lastRow) return null;
  // Keep a full pane above the anchor: find the lowest allowed bottom row.
  const top = step(state, moved, height - 1);
  const anchor = top.left > 0 ? step(state, { index: 0, row: 0 }, -(height - 1)).at : moved;
  if (anchor.index === last && anchor.row === lastRow) return null;
  const entry = entryAt(state.scrollback, anchor.index);
  return entry ? { seq: entry.seq, row: anchor.row } : null;
}
