/**
 * The one key under which titles are indexed and looked up: Unicode NFC (macOS and some IMEs
 * send decomposed Hangul), case folded, surrounding whitespace dropped and every run of
 * whitespace collapsed to one space. KOBIS titles carry trailing spaces and users type
 * `@bot  기생충 |감독`, so both sides go through this same function.
 */
export function normalizeTitle(text: string): string {
  return text.normalize("NFC").toLowerCase().replace(/\s+/gu, " ").trim();
}

/** A display form of a title from the database: NFC, trimmed, inner whitespace collapsed, case kept. */
export function cleanTitle(text: string): string {
  return text.normalize("NFC").replace(/\s+/gu, " ").trim();
}
