/**
 * The backlog's progress bar that `dchat audit` draws on a terminal: records archived out of the
 * run's backlog, the rate and the time left, on one line redrawn in place (at most ten times a
 * second) and erased before the summary. Drawn here rather than with @clack/prompts' progress,
 * whose spinner installs SIGINT and SIGTERM handlers: Ctrl-C would then no longer end the run.
 */
import { count } from "./table.ts";

export interface ProgressState {
  done: number;
  total: number;
  elapsedMs: number;
  columns: number;
}

const REDRAW_MS = 100;
const BAR_CELLS = 24;

const number = (n: number) => Math.round(n).toLocaleString("en-US");

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${String(s % 60).padStart(2, "0")}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** One line, at most `columns - 1` cells (the last column would wrap on some terminals). */
export function renderProgress({ done, total, elapsedMs, columns }: ProgressState): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const left = done > 0 ? duration((total - done) / rate) : "?";
  const text = ` ${number(done)} / ${count(total, "record")} · ${number(rate)}/s · ${left} left`;
  const room = columns - 1 - text.length;
  if (room < 6) return text.trim().slice(0, Math.max(0, columns - 1));
  // ASCII: block and shade characters are East Asian "ambiguous", two cells on some terminals.
  const cells = Math.min(BAR_CELLS, room) - 2;
  const full = Math.floor(fraction * cells);
  return `[${"=".repeat(full)}${" ".repeat(cells - full)}]${text}`;
}

export interface ProgressBar {
  update(done: number, total: number): void;
  /** Takes the line away (before other output, and at the end). */
  clear(): void;
}

export function progressBar(stream: NodeJS.WriteStream, now = () => performance.now()): ProgressBar {
  const started = now();
  let drawnAt = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    update(done, total) {
      const at = now();
      if (done < total && at - drawnAt < REDRAW_MS) return;
      drawnAt = at;
      const line = renderProgress({ done, total, elapsedMs: at - started, columns: stream.columns ?? 80 });
      stream.write(`\r\u001b[2K${line}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write("\r\u001b[2K");
      shown = false;
    },
  };
}
