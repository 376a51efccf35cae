/**
 * Searching the shown room's scrollback (Ctrl-R, `/search TEXT`): NFC- and case-insensitive,
 * in the text as shown (control characters already made visible) and the sender's name.
 * Matches are walked newest to oldest, as a shell's reverse search does.
 */
import { safeText } from "../safe-text.ts";
import { entryAt, indexOfSeq, type Scrollback } from "./scrollback.ts";

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The pattern that finds `query` in shown text, or null for an empty query. */
export function searchPattern(query: string): RegExp | null {
  const text = safeText(query.normalize("NFC"));
  return text === "" ? null : new RegExp(escapeRegex(text), "giu");
}

/**
 * The seq of the nearest entry matching `query` strictly older (or newer) than `from`
 * (null: start at the newest end, inclusive). Null when there is none.
 */
export function findMatch(
  scrollback: Scrollback,
  query: string,
  from: number | null,
  direction: "older" | "newer",
): number | null {
  const pattern = searchPattern(query);
  if (!pattern) return null;
  const step = direction === "older" ? -1 : 1;
  let index = from === null ? scrollback.length - 1 : indexOfSeq(scrollback, from) + step;
  if (from !== null && indexOfSeq(scrollback, from) < 0) index = scrollback.length - 1;
  for (; index >= 0 && index < scrollback.length; index += step) {
    const entry = entryAt(scrollback, index);
    if (!entry || entry.kind === "notice") continue;
    pattern.lastIndex = 0;
    if (pattern.test(safeText(entry.text.normalize("NFC")))) return entry.seq;
    pattern.lastIndex = 0;
    if (pattern.test(safeText(entry.sender.normalize("NFC")))) return entry.seq;
  }
  return null;
}
