/**
 * A growable byte buffer with the writes Parquet values need (little-endian words, PLAIN byte
 * arrays), and the byte order Parquet compares BYTE_ARRAY values in.
 */

/**
 * Buffers of finished files, for the next files' columns in this thread: a batch's columns grow
 * to megabytes, and growing fresh buffers for every batch copied a third of what the columns hold.
 */
const spare: Buffer[] = [];
const SPARE_LIMIT = 64;

export class Bytes {
  bytes: Buffer = spare.pop() ?? Buffer.allocUnsafeSlow(1024);
  view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  length = 0;

  ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  u8(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  i32(value: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, value, true);
    this.length += 4;
  }

  /** An integer as a little-endian int64: exact for safe integers and for any bigint in range. */
  i64(value: number | bigint): void {
    this.ensure(8);
    if (typeof value === "bigint") {
      this.view.setBigInt64(this.length, value, true);
    } else {
      const high = Math.floor(value / 4294967296);
      this.view.setUint32(this.length, value - high * 4294967296, true);
      this.view.setInt32(this.length + 4, high, true);
    }
    this.length += 8;
  }

  /** A PLAIN BYTE_ARRAY value: its length, then its bytes (a string as UTF-8). */
  lengthPrefixed(value: string | Uint8Array): void {
    if (typeof value === "string") {
      // A UTF-16 code unit is at most 3 UTF-8 bytes (lone surrogates become U+FFFD, also 3).
      this.ensure(4 + value.length * 3);
      const written = this.bytes.write(value, this.length + 4, "utf8");
      this.view.setUint32(this.length, written, true);
      this.length += 4 + written;
    } else {
      this.ensure(4 + value.byteLength);
      this.view.setUint32(this.length, value.byteLength, true);
      this.bytes.set(value, this.length + 4);
      this.length += 4 + value.byteLength;
    }
  }

  /** `lengthPrefixed` of bytes [start, end) of `source`, copied without a view of them. */
  lengthPrefixedRange(source: Buffer, start: number, end: number): void {
    this.ensure(4 + end - start);
    this.view.setUint32(this.length, end - start, true);
    source.copy(this.bytes, this.length + 4, start, end);
    this.length += 4 + end - start;
  }

  /** Hands the buffer on to a later Bytes; this one is empty after, and views of it are void. */
  release(): void {
    if (spare.length < SPARE_LIMIT) spare.push(this.bytes);
    this.bytes = Buffer.alloc(0);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, 0);
    this.length = 0;
  }
  /** What was written; a view, valid until the next write. */
  get contents(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** Unsigned byte order, as Parquet orders BYTE_ARRAY bounds (for UTF-8: code point order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}
