/**
 * The escape sequences dchat writes, as strings. Only lib/term/screen.ts sends them to the
 * terminal; the view uses the SGR helpers to style text that is already terminal-safe.
 */
import ansiEscapes from "ansi-escapes";
import { safeText } from "../safe-text.ts";

const CSI = "\x1b[";

export const altScreenOn = `${CSI}?1049h`;
export const altScreenOff = `${CSI}?1049l`;
export const pasteOn = `${CSI}?2004h`;
export const pasteOff = `${CSI}?2004l`;
/** Button events (1000) in SGR encoding (1006): the wheel arrives as `CSI < 64;x;y M`. */
export const mouseOn = `${CSI}?1000h${CSI}?1006h`;
export const mouseOff = `${CSI}?1006l${CSI}?1000l`;
export const cursorShow = ansiEscapes.cursorShow;
export const clearScreen = `${CSI}H${CSI}2J`;
export const resetRegion = `${CSI}r`;
/** DEC mode 2026: the terminal shows a frame at once instead of as it is drawn (ignored where unknown). */
export const syncBegin = `${CSI}?2026h`;
export const syncEnd = `${CSI}?2026l`;
export const bell = "\x07";

/** Longest notification text: desktop notifiers cut anyway, and the terminal parses it all. */
const NOTIFY_CHARS = 200;

/**
 * A desktop notification through the terminal: OSC 9 (iTerm2, WezTerm, Windows Terminal,
 * kitty…) or OSC 777 (urxvt, foot, Ghostty, VTE terminals). Title and body are remote text:
 * safeText turns ESC, BEL and every other control into visible symbols, so nothing in them can
 * end the sequence early; `;` separates OSC 777's fields, so the title has none.
 */
export function notification(kind: "osc9" | "osc777", title: string, body: string): string {
  const clean = (text: string) => safeText(text.normalize("NFC")).slice(0, NOTIFY_CHARS);
  if (kind === "osc9") return `\x1b]9;${clean(`${title}: ${body}`)}\x07`;
  return `\x1b]777;notify;${clean(title).replaceAll(";", ",")};${clean(body)}\x07`;
}

/** Moves the cursor to 0-based `row`, `col`. */
export function moveTo(row: number, col: number): string {
  return `${CSI}${row + 1};${col + 1}H`;
}

/** Sets the scroll region to 0-based rows `top`..`bottom` inclusive (DECSTBM homes the cursor). */
export function scrollRegion(top: number, bottom: number): string {
  return `${CSI}${top + 1};${bottom + 1}r`;
}

/** Scrolls the scroll region up by `lines` (SU): new blank lines appear at its bottom. */
export function scrollUp(lines: number): string {
  return `${CSI}${lines}S`;
}

/**
 * Everything a session turns on, turned off again, in the order terminal.md gives: scroll
 * region, bracketed paste (and mouse reporting, which costs nothing to turn off when it was
 * never on), cursor, attributes, alternate screen.
 */
export const restoreAll = `${resetRegion}${pasteOff}${mouseOff}${cursorShow}${CSI}0m${altScreenOff}`;

export interface Style {
  fg?: number;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

/** Wraps terminal-safe `text` in SGR codes; `color: false` (NO_COLOR) keeps only attributes. */
export function styled(text: string, style: Style, color: boolean): string {
  const codes: string[] = [];
  if (style.bold) codes.push("1");
  if (style.dim) codes.push("2");
  if (style.italic) codes.push("3");
  if (style.underline) codes.push("4");
  if (style.inverse) codes.push("7");
  if (color && style.fg !== undefined) codes.push(`38;5;${style.fg}`);
  if (codes.length === 0 || text === "") return text;
  return `${CSI}${codes.join(";")}m${text}${CSI}0m`;
}
