/**
 * Statistics as terminal tables: label, count, and a bar of eighth-blocks scaled to the largest
 * count. Labels are untrusted (sender names, words), so they go through safeText, and columns
 * are padded by display width (Hangul and most emoji take two cells), not by string length.
 */
import { safeText } from "../safe-text.ts";
import type { Entry, Summary } from "./stats.ts";

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
const FULL = "█";
const MAX_LABEL_WIDTH = 24;
const ELLIPSIS = "…";

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

export function displayWidth(text: string): number {
  return Bun.stringWidth(text);
}

/** Cuts `text` to at most `width` cells, ending with … when something was cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = displayWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return out + ELLIPSIS;
}

function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/** A bar of `value / max * width` cells, in eighths of a cell; at least a sliver for non-zero values. */
export function bar(value: number, max: number, width: number): string {
  if (value <= 0 || max <= 0) return "";
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return FULL.repeat(Math.floor(eighths / 8)) + (EIGHTHS[eighths % 8] ?? "");
}

export function renderTable(
  title: string,
  heading: string,
  entries: readonly Entry[],
  columns: number,
): string[] {
  const labels = entries.map((e) => truncate(safeText(e.key), MAX_LABEL_WIDTH));
  const labelWidth = Math.max(displayWidth(heading), ...labels.map(displayWidth));
  const counts = entries.map((e) => e.count.toLocaleString("en-US"));
  const countWidth = Math.max("count".length, ...counts.map((c) => c.length));
  const barWidth = Math.max(10, Math.min(40, columns - labelWidth - countWidth - 4));
  const max = Math.max(0, ...entries.map((e) => e.count));
  const lines = [title, `${padEnd(heading, labelWidth)}  ${"count".padStart(countWidth)}`];
  if (entries.length === 0) lines.push("(none)");
  entries.forEach((entry, i) => {
    const line = `${padEnd(labels[i] as string, labelWidth)}  ${(counts[i] as string).padStart(countWidth)}  ${bar(entry.count, max, barWidth)}`;
    lines.push(line.trimEnd());
  });
  return lines;
}

/** "1 record", "2,500 records". */
export function count(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
}

export function renderSummary(summary: Summary, columns: number): string {
  const sections = [
    renderTable(`User count (${count(summary.senders, "sender")})`, "sender", summary.users, columns),
    renderTable(
      `Word count (${count(summary.distinctWords, "distinct word")})`,
      "word",
      summary.words,
      columns,
    ),
    renderTable("Time count (messages per hour:minute)", "time", summary.times, columns),
  ];
  return `${[count(summary.messages, "message"), ...sections.map((s) => s.join("\n"))].join("\n\n")}\n`;
}
