/**
 * Display width in terminal cells. Every column computation in the chat goes through here:
 * text is NFC-normalised first (macOS sends decomposed Hangul), split into grapheme clusters
 * (a cluster is never split across lines), and each cluster is measured with Bun.stringWidth
 * (Hangul syllables and emoji 2 cells, conjoining vowels/finals and combining marks 0).
 * East Asian "ambiguous" characters (※ ○ …) are 1 cell unless `ambiguousWide` is set, because
 * that depends on a terminal setting no program can query.
 *
 * Callers pass terminal-safe text (lib/safe-text.ts): widths of control characters are 0 here,
 * which is only right once they have been replaced by visible glyphs.
 */

export interface WidthOptions {
  ambiguousWide?: boolean;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

export function graphemes(text: string): string[] {
  const plain = plainPrefix(text);
  const out = text.slice(0, plain).split("");
  for (const { segment } of segmenter.segment(text.slice(plain))) out.push(segment);
  return out;
}

/**
 * How many leading characters are each a cluster of their own, 1 cell wide: printable ASCII,
 * except the last one before anything else, which may start a cluster with what follows it
 * (`e` + U+0301, the keycap `1` U+FE0F U+20E3). Measuring such a prefix by its length instead of
 * segmenting it was the chat's largest saving under a flood: the room bar and the rows are
 * measured on every frame, and most chat text is mostly ASCII.
 */
function plainPrefix(text: string): number {
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return Math.max(0, i - 1);
    i++;
  }
  return i;
}

function clusterWidth(cluster: string, options: WidthOptions): number {
  return Bun.stringWidth(cluster, { ambiguousIsNarrow: !options.ambiguousWide, countAnsiEscapeCodes: true });
}

/** Cells `text` occupies; `text` must already be NFC (use `displayWidth` otherwise). */
export function cellWidth(text: string, options: WidthOptions = {}): number {
  const plain = plainPrefix(text);
  if (plain === text.length) return plain;
  let total = plain;
  for (const { segment } of segmenter.segment(text.slice(plain))) total += clusterWidth(segment, options);
  return total;
}

export function displayWidth(text: string, options: WidthOptions = {}): number {
  return cellWidth(text.normalize("NFC"), options);
}

/** A grapheme cluster with its width, the unit of all layout. */
export interface Cell {
  text: string;
  width: number;
}

export function cells(text: string, options: WidthOptions = {}): Cell[] {
  const nfc = text.normalize("NFC");
  const plain = plainPrefix(nfc);
  const out: Cell[] = [];
  for (let i = 0; i < plain; i++) out.push({ text: nfc.charAt(i), width: 1 });
  for (const { segment } of segmenter.segment(nfc.slice(plain))) {
    out.push({ text: segment, width: clusterWidth(segment, options) });
  }
  return out;
}

/**
 * Splits one line (no newlines) into rows of at most `firstWidth` cells for the first row and
 * `restWidth` for the others. Breaks after the last space that fits when there is one, else
 * between clusters; a wide cluster that does not fit in the remaining column moves to the next
 * row. Widths below 2 are raised to 2 so a wide cluster always fits somewhere.
 */
export function wrap(
  text: string,
  firstWidth: number,
  restWidth = firstWidth,
  options: WidthOptions = {},
): string[] {
  const all = cells(text, options);
  const rows: string[] = [];
  let start = 0;
  while (start < all.length) {
    const limit = Math.max(2, rows.length === 0 ? firstWidth : restWidth);
    let used = 0;
    let end = start;
    let lastSpace = -1;
    while (end < all.length) {
      const cell = all[end] as Cell;
      if (used + cell.width > limit) break;
      used += cell.width;
      if (cell.text === " ") lastSpace = end;
      end++;
    }
    if (end < all.length && all[end]?.text !== " " && lastSpace > start) end = lastSpace + 1;
    rows.push(
      all
        .slice(start, end)
        .map((c) => c.text)
        .join("")
        .trimEnd(),
    );
    start = end;
    while (start < all.length && all[start]?.text === " ") start++;
  }
  if (rows.length === 0) rows.push("");
  return rows;
}

/** The longest prefix of `text` that fits `width` cells, with `ellipsis` when something was cut. */
export function truncate(text: string, width: number, ellipsis = "…", options: WidthOptions = {}): string {
  const all = cells(text, options);
  const total = all.reduce((sum, c) => sum + c.width, 0);
  if (total <= width) return all.map((c) => c.text).join("");
  const room = width - cellWidth(ellipsis, options);
  if (room < 0) return "";
  let used = 0;
  let out = "";
  for (const cell of all) {
    if (used + cell.width > room) break;
    used += cell.width;
    out += cell.text;
  }
  return out + ellipsis;
}

/** Pads with spaces to exactly `width` cells (truncating first if needed). */
export function fit(text: string, width: number, options: WidthOptions = {}): string {
  const cut = truncate(text, width, "…", options);
  return cut + " ".repeat(Math.max(0, width - cellWidth(cut, options)));
}
