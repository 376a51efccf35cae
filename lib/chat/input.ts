/**
 * The input pane: the editor's text after the `YOU: ` prompt, hard-wrapped by display width
 * into as many rows as it needs (each "\n" starts a new row), then a window of the pane's
 * height that always contains the caret. One column is kept free at the right so the caret
 * can sit after the last character. The text is shown through safeText cluster by cluster, so
 * a pasted control character is visible and the caret column stays right.
 */
import { safeText } from "../safe-text.ts";
import { type Cell, cells, type WidthOptions } from "../width.ts";

export const PROMPT = "YOU: ";
const PROMPT_WIDTH = PROMPT.length;

export interface InputView {
  /** Visible rows: text only (the view adds the prompt or indent), each at most `cols - 5` cells. */
  rows: string[];
  /** Index of the first visible row among all rows (0 = the prompt row is visible). */
  first: number;
  total: number;
  caret: { row: number; col: number };
}

interface Row {
  text: string;
  start: number;
  end: number;
}

function layoutRows(text: string, width: number, options: WidthOptions): Row[] {
  const rows: Row[] = [];
  let offset = 0;
  for (const line of text.split("\n")) {
    let row: Row = { text: "", start: offset, end: offset };
    let used = 0;
    for (const cell of cells(line, options) as Cell[]) {
      const shown = safeText(cell.text);
      const w = shown === cell.text ? cell.width : cells(shown, options).reduce((s, c) => s + c.width, 0);
      if (used + w > width && row.text) {
        rows.push(row);
        row = { text: "", start: row.end, end: row.end };
        used = 0;
      }
      row.text += shown;
      row.end += cell.text.length;
      used += w;
    }
    rows.push(row);
    offset = row.end + 1;
  }
  return rows;
}

function widthOf(text: string, options: WidthOptions): number {
  return cells(text, options).reduce((sum, c) => sum + c.width, 0);
}

export function inputView(
  text: string,
  caret: number,
  cols: number,
  height: number,
  options: WidthOptions,
): InputView {
  const width = Math.max(2, cols - PROMPT_WIDTH - 1);
  // Editor text is NFC already; layout offsets refer to it directly.
  const rows = layoutRows(text, width, options);
  let caretRow = rows.findIndex(
    (r, i) => caret >= r.start && (caret < r.end || (caret === r.end && rows[i + 1]?.start !== r.end)),
  );
  if (caretRow < 0) caretRow = rows.length - 1;
  const row = rows[caretRow] as Row;
  const col = PROMPT_WIDTH + widthOf(safeText(text.slice(row.start, caret)), options);
  const first = Math.max(0, Math.min(caretRow - height + 1, rows.length - height));
  const visible = rows.slice(first, first + height).map((r) => r.text);
  return {
    rows: visible,
    first,
    total: rows.length,
    caret: { row: caretRow - first, col: Math.min(col, cols - 1) },
  };
}

export { PROMPT_WIDTH };
