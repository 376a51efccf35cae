/**
 * Occurrences of substrings, counted without cutting them out: the statistics see every token
 * of every message (a dozen per chat line), and `slice` plus a Map lookup per token was most of
 * their cost and much of the audit's garbage. An open-addressing table hashes the token's units
 * in place (FNV-1a) and compares against the stored key; only a token seen for the first time
 * becomes a key of its own. `TokenCounts` counts pieces of strings (UTF-16 units),
 * `ByteTokenCounts` pieces of UTF-8 bytes (the audit's messages, never decoded to text).
 */
import { fnv1aBytes, fnv1aUnits } from "../fnv1a.ts";

abstract class TokenTable<S, K> {
  private keys: (K | undefined)[] = new Array(64);
  private hashes = new Int32Array(64);
  private counts = new Float64Array(64);
  private size = 0;

  protected abstract hash(source: S, start: number, end: number): number;
  protected abstract matches(key: K, source: S, start: number, end: number): boolean;
  protected abstract keyOf(source: S, start: number, end: number): K;

  /** Counts the piece [start, end) of `source` once. */
  add(source: S, start: number, end: number): void {
    this.addHashed(source, start, end, this.hash(source, start, end));
  }

  /** `add`, the piece's hash computed by the caller (it must be what `hash` gives). */
  addHashed(source: S, start: number, end: number, hash: number): void {
    const mask = this.keys.length - 1;
    let at = hash & mask;
    for (let key = this.keys[at]; key !== undefined; key = this.keys[at]) {
      if (this.hashes[at] === hash && this.matches(key, source, start, end)) {
        this.counts[at] = (this.counts[at] as number) + 1;
        return;
      }
      at = (at + 1) & mask;
    }
    this.keys[at] = this.keyOf(source, start, end);
    this.hashes[at] = hash;
    this.counts[at] = 1;
    if (++this.size * 2 > this.keys.length) this.grow();
  }

  protected forEachKey(visit: (key: K, count: number) => void): void {
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

export class TokenCounts extends TokenTable<string, string> {
  protected hash(text: string, start: number, end: number): number {
    return fnv1aUnits(text, start, end);
  }

  protected matches(key: string, text: string, start: number, end: number): boolean {
    return key.length === end - start && text.startsWith(key, start);
  }

  protected keyOf(text: string, start: number, end: number): string {
    return text.slice(start, end);
  }

  forEach(visit: (token: string, count: number) => void): void {
    this.forEachKey(visit);
  }
}

const utf8 = new TextDecoder();

export class ByteTokenCounts extends TokenTable<Uint8Array, Uint8Array> {
  protected hash(bytes: Uint8Array, start: number, end: number): number {
    return fnv1aBytes(bytes, start, end);
  }

  protected matches(key: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
    if (key.length !== end - start) return false;
    for (let i = 0; i < key.length; i++) if (key[i] !== bytes[start + i]) return false;
    return true;
  }

  /** A copy (`new Uint8Array`: a Buffer's `slice` is a view), as `bytes` is usually reused. */
  protected keyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
    return new Uint8Array(bytes.subarray(start, end));
  }

  /** Every token as text (the bytes decoded as UTF-8), with its count. */
  forEach(visit: (token: string, count: number) => void): void {
    this.forEachKey((key, count) => visit(utf8.decode(key), count));
  }
}
