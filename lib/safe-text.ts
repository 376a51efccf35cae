/**
 * Untrusted text (messages, sender names, room names) made harmless for a terminal: nothing a
 * remote sender writes can move the cursor, retitle the window, write the clipboard, switch
 * modes or reorder the line. Every dangerous code point becomes something visible instead:
 *
 * - C0 controls U+0000–U+001F (including \n, \t, \r and ESC) → Control Pictures U+2400 + code,
 *   so `ESC[2J` shows as `␛[2J`; DEL → `␡`.
 * - C1 controls U+0080–U+009F (the 8-bit CSI U+009B among them), bidi and format controls
 *   (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), U+2028, U+2029 and U+FEFF →
 *   `<U+XXXX>` as plain text.
 * - Unpaired surrogates → U+FFFD.
 *
 * ZWJ/ZWNJ, variation selectors and combining marks stay: emoji sequences and Hangul need them.
 * Every replacement is itself safe, so safeText is idempotent.
 */

// With the `u` flag the surrogate range only matches unpaired surrogates.
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ud800-\udfff]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, "gu");
const DEL = 0x7f;
const TAB_SPACES = "    ";

function replacement(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === DEL) return "\u2421";
  if (code >= 0xd800 && code <= 0xdfff) return "\ufffd";
  return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
}

/** One line of untrusted text, every control made visible; returns the same string when already safe. */
export function safeText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, replacement) : text;
}

/** Untrusted multi-line text: split on \r\n, \n or \r; each tab becomes 4 spaces; then safeText. */
export function safeLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/).map((line) => safeText(line.replaceAll("\t", TAB_SPACES)));
}
