/**
 * A whole screen as the chat's view draws it and the screen writer (screen.ts) writes it: the
 * contract between the two, so neither imports the other.
 */
export interface Frame {
  /** One styled string per terminal row, each at most `cols` cells wide. */
  rows: string[];
  cols: number;
  /** The message pane, scrolled with DECSTBM; null when too short for a region (< 2 rows). */
  region: { top: number; bottom: number } | null;
  cursor: { row: number; col: number };
}
