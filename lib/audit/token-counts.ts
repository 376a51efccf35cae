/**
 * Occurrences of substrings, counted without cutting them out: the statistics see every token
 * of every message (a dozen per chat line), and `slice` plus a Map lookup per token was most of
 * their cost and much of the audit's garbage. An open-addressing table hashes the token's units
 * in place (FNV-1a) and compares against the stored key; only a token seen for the first time
 * becomes a key of its own. `TokenCounts` counts pieces of strings (UTF-16 units),
 * `ByteTokenCounts` pieces of UTF-8 bytes (the audit's messages, never decoded to text).
 */
import { fnv1aBytes, fnv1aUnits } from "../fnv1a.ts";
import { grown } from "./grown.ts";

/** Pieces of strings (UTF-16 units), each distinct piece sliced out once. */
export class TokenCounts {
  private keys: (string | undefined)[] = new Array(64);
  private hashes = new Int32Array(64);
  private counts = new Float64Array(64);
  private size = 0;

  /** Counts the piece [start, end) of `text` once. */
  add(text: string, start: number, end: number): void {
    const hash = fnv1aUnits(text, start, end);
    const mask = this.keys.length - 1;
    let at = hash & mask;
    for (let key = this.keys[at]; key !== undefined; key = this.keys[at]) {
      if (this.hashes[at] === hash && key.length === end - start && text.startsWith(key, start)) {
        this.counts[at] = (this.counts[at] as number) + 1;
        return;
      }
      at = (at + 1) & mask;
    }
    this.keys[at] = text.slice(start, end);
    this.hashes[at] = hash;
    this.counts[at] = 1;
    if (++this.size * 2 > this.keys.length) this.grow();
  }

  forEach(visit: (token: string, count: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i];
      if (key !== undefined) visit(key, this.counts[i] as number);
    }
  }

  private grow(): void {
    const { keys, hashes, counts } = this;
    this.keys = new Array(keys.length * 2);
    this.hashes = new Int32Array(keys.length * 2);
    this.counts = new Float64Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === undefined) continue;
      let at = (hashes[i] as number) & mask;
      while (this.keys[at] !== undefined) at = (at + 1) & mask;
      this.keys[at] = keys[i];
      this.hashes[at] = hashes[i] as number;
      this.counts[at] = counts[i] as number;
    }
  }
}

const utf8 = new TextDecoder();

/**
 * Pieces of UTF-8 bytes (the audit's messages), each distinct piece copied once into one arena
 * and known by its index into a few typed arrays: no object per token, so a vocabulary of
 * millions costs tens of bytes a token and nothing for the collector to trace (a Uint8Array
 * key each took a run with 4.8 million distinct tokens to gigabytes, and each full collection
 * traced them all).
 */
export class ByteTokenCounts {
  /** Open addressing: a token's index + 1, 0 for an empty slot. */
  private slots = new Int32Array(64);
  private hashes = new Int32Array(32);
  /** Token i's bytes are arena[ends[i - 1] (0 for the first), ends[i]). */
  private ends = new Uint32Array(32);
  private counts = new Float64Array(32);
  private arena = new Uint8Array(4096);
  private size = 0;

  /** Counts the piece [start, end) of `bytes` once. */
  add(bytes: Uint8Array, start: number, end: number): void {
    this.addHashed(bytes, start, end, fnv1aBytes(bytes, start, end));
  }

  /** `add`, the piece's FNV-1a hash computed by the caller. */
  addHashed(bytes: Uint8Array, start: number, end: number, hash: number): void {
    const mask = this.slots.length - 1;
    let at = hash & mask;
    for (let slot = this.slots[at] as number; slot !== 0; slot = this.slots[at] as number) {
      const token = slot - 1;
      if (this.hashes[token] === hash && this.matches(token, bytes, start, end)) {
        this.counts[token] = (this.counts[token] as number) + 1;
        return;
      }
      at = (at + 1) & mask;
    }
    const token = this.size++;
    if (token === this.hashes.length) this.growTokens();
    const from = token === 0 ? 0 : (this.ends[token - 1] as number);
    const to = from + (end - start);
    if (to > this.arena.length)
      this.arena = grown(this.arena, new Uint8Array(Math.max(this.arena.length * 2, to)));
    this.arena.set(bytes.subarray(start, end), from);
    this.hashes[token] = hash;
    this.ends[token] = to;
    this.counts[token] = 1;
    this.slots[at] = token + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
  }

  /** Every token as text (the bytes decoded as UTF-8), with its count. */
  forEach(visit: (token: string, count: number) => void): void {
    let from = 0;
    for (let token = 0; token < this.size; token++) {
      const to = this.ends[token] as number;
      visit(utf8.decode(this.arena.subarray(from, to)), this.counts[token] as number);
      from = to;
    }
  }

  private matches(token: number, bytes: Uint8Array, start: number, end: number): boolean {
    const from = token === 0 ? 0 : (this.ends[token - 1] as number);
    if ((this.ends[token] as number) - from !== end - start) return false;
    for (let i = start, j = from; i < end; i++, j++) if (this.arena[j] !== bytes[i]) return false;
    return true;
  }

  private growTokens(): void {
    const capacity = this.hashes.length * 2;
    this.hashes = grown(this.hashes, new Int32Array(capacity));
    this.ends = grown(this.ends, new Uint32Array(capacity));
    this.counts = grown(this.counts, new Float64Array(capacity));
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let token = 0; token < this.size; token++) {
      let at = (this.hashes[token] as number) & mask;
      while (slots[at] !== 0) at = (at + 1) & mask;
      slots[at] = token + 1;
    }
    this.slots = slots;
  }
}
