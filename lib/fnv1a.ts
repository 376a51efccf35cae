/**
 * FNV-1a, 32-bit: the one hash of the project's tables (token counts, recent senders) and of
 * what must stay stable across versions (sender colours, bot slots). Results are signed 32-bit
 * integers, as Int32Array-backed tables compare them; `>>> 0` gives the unsigned value.
 */
export const OFFSET_BASIS = 0x811c9dc5 | 0;
const PRIME = 16777619;

/** The hash so far, one more byte (or code unit) added: for a caller that hashes while it scans. */
export function fnv1aStep(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, PRIME);
}

/** Over the bytes [start, end). */
export function fnv1aBytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let hash = OFFSET_BASIS;
  for (let i = start; i < end; i++) hash = fnv1aStep(hash, bytes[i] as number);
  return hash;
}

/** Over the UTF-16 code units of text [start, end). */
export function fnv1aUnits(text: string, start = 0, end = text.length): number {
  let hash = OFFSET_BASIS;
  for (let i = start; i < end; i++) hash = fnv1aStep(hash, text.charCodeAt(i));
  return hash;
}
