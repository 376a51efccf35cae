/**
 * Occurrences of substrings, counted without cutting them out: the statistics see every token
 * of every message (a dozen per chat line), and `slice` plus a Map lookup per token was most of
 * their cost and much of the audit's garbage. An open-addressing table hashes the token's code
 * units in place (FNV-1a) and compares against the stored string; only a token seen for the
 * first time becomes a string of its own.
 */
export class TokenCounts {
  private keys: (string | undefined)[] = new Array(64);
  private hashes = new Int32Array(64);
  private counts = new Float64Array(64);
  private size = 0;

  /** Counts `text.slice(start, end)` once. */
  add(text: string, start: number, end: number): void {
    let hash = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
    const mask = this.keys.length - 1;
    const length = end - start;
    let at = hash & mask;
    for (let key = this.keys[at]; key !== undefined; key = this.keys[at]) {
      if (this.hashes[at] === hash && key.length === length && text.startsWith(key, start)) {
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
