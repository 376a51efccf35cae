/**
 * Column encodings: each column keeps one row group's values already encoded as rows arrive
 * (UTF-8 bytes, little-endian words, dictionary indexes, bit-packed booleans), with definition
 * levels for OPTIONAL columns and, when its table asks for them, min/max statistics. file.ts
 * turns what `encoded()` returns into pages.
 */
import { grown } from "../grown.ts";
import { Bytes } from "./bytes.ts";
import {
  ByteWriter,
  type ParquetType,
  type SchemaElement,
  type Statistics,
  writeRleBitPackedHybrid,
} from "./format.ts";
import { ByteBounds, booleanStatistics, NumberBounds } from "./statistics.ts";

/** One row group of one column, encoded; the arrays are views valid until the column's reset. */
export interface EncodedChunk {
  rows: number;
  nulls: number;
  /** 1 defined / 0 null per row, for OPTIONAL columns; null for REQUIRED ones. */
  definitions: Uint8Array | null;
  /** A dictionary page's PLAIN body and its value count, for dictionary-encoded columns. */
  dictionary: { body: Uint8Array; count: number } | null;
  /** The data page's body, before compression. */
  values: Uint8Array;
  statistics: Statistics | undefined;
}

export abstract class Column<T> {
  private readonly defined = new Bytes();
  private rows = 0;
  protected nulls = 0;
  readonly optional: boolean;

  constructor(
    readonly element: SchemaElement & { type: ParquetType },
    protected readonly withStatistics: boolean,
  ) {
    this.optional = element.repetition_type === "OPTIONAL";
  }

  push(value: T | null): void {
    if (value === null) {
      if (!this.optional) throw new Error(`parquet column ${this.element.name} is required`);
      this.rows++;
      this.nulls++;
      this.defined.u8(0);
      return;
    }
    this.present();
    this.pushValue(value);
  }

  /** Counts a row that has a value, before the value itself is added. */
  protected present(): void {
    this.rows++;
    if (this.optional) this.defined.u8(1);
  }

  encoded(): EncodedChunk {
    return {
      rows: this.rows,
      nulls: this.nulls,
      definitions: this.optional ? this.defined.contents : null,
      dictionary: this.dictionary(),
      values: this.values(),
      statistics: this.withStatistics ? this.statistics() : undefined,
    };
  }

  /** The column's buffers go to later columns (bytes.ts); the column is not used again. */
  release(): void {
    this.defined.release();
    this.releaseValues();
  }
  /** Starts the next row group empty. */
  reset(): void {
    this.defined.length = 0;
    this.rows = 0;
    this.nulls = 0;
    this.resetValues();
  }

  protected abstract pushValue(value: T): void;
  protected abstract values(): Uint8Array;
  protected abstract statistics(): Statistics;
  protected abstract resetValues(): void;
  protected dictionary(): EncodedChunk["dictionary"] {
    return null;
  }
  protected releaseValues(): void {}
}

/** Byte arrays (text as UTF-8), PLAIN: for long values that rarely repeat. */
export class PlainBytesColumn extends Column<string | Uint8Array> {
  private readonly data = new Bytes();
  private readonly bounds = new ByteBounds();

  protected pushValue(value: string | Uint8Array): void {
    const at = this.data.length + 4;
    this.data.lengthPrefixed(value);
    this.bound(at);
  }

  /** `push` of bytes [start, end) of `source` (bench/audit: a view of each cost more than the copy). */
  pushRange(source: Buffer, start: number, end: number): void {
    this.present();
    const at = this.data.length + 4;
    this.data.lengthPrefixedRange(source, start, end);
    this.bound(at);
  }

  /** The value just written from `at` into the column's bounds, when it keeps statistics. */
  private bound(at: number): void {
    if (this.withStatistics) this.bounds.add(this.data.bytes.subarray(at, this.data.length));
  }
  protected values(): Uint8Array {
    return this.data.contents;
  }
  protected statistics(): Statistics {
    return this.bounds.statistics(this.nulls);
  }
  protected override releaseValues(): void {
    this.data.release();
  }
  protected resetValues(): void {
    this.data.length = 0;
    this.bounds.reset();
  }
}

/** Few distinct strings (rooms, topics, senders, problems): a dictionary page, then indexes. */
export class DictionaryColumn extends Column<string> {
  private readonly index = new Map<string, number>();
  private entries: Uint8Array[] = [];
  private indexes = new Int32Array(1024);
  private count = 0;

  /** The last value and its index: topics, rooms and often senders repeat row after row. */
  private last: string | undefined;
  private lastAt = 0;

  protected pushValue(value: string): void {
    let at = value === this.last ? this.lastAt : this.index.get(value);
    if (at === undefined) {
      at = this.entries.length;
      this.index.set(value, at);
      this.entries.push(Buffer.from(value, "utf8"));
    }
    if (this.count === this.indexes.length) {
      this.indexes = grown(this.indexes, new Int32Array(this.count * 2));
    }
    this.indexes[this.count++] = at;
    this.last = value;
    this.lastAt = at;
  }

  protected override dictionary(): EncodedChunk["dictionary"] {
    const body = new Bytes();
    for (const entry of this.entries) body.lengthPrefixed(entry);
    // A copy: the page is compressed later, and this buffer goes back for the next column now.
    const page = new Uint8Array(body.contents);
    body.release();
    return { body: page, count: this.entries.length };
  }

  protected values(): Uint8Array {
    const page = new ByteWriter(1024);
    const bitWidth = Math.ceil(Math.log2(Math.max(this.entries.length, 1)));
    page.appendUint8(bitWidth);
    writeRleBitPackedHybrid(page, this.indexes.subarray(0, this.count), bitWidth);
    return page.getBytes();
  }

  protected statistics(): Statistics {
    const bounds = new ByteBounds();
    for (const entry of this.entries) bounds.add(entry);
    return bounds.statistics(this.nulls);
  }

  protected resetValues(): void {
    this.index.clear();
    this.entries = [];
    this.count = 0;
    this.last = undefined;
  }
}

/**
 * Integers and timestamps, PLAIN; INT32 or INT64 by the schema element. Numbers wait in a
 * Float64Array and are encoded and bounded a row group at a time: encoding each value as it came
 * (a DataView write and a bounds check per value, five times a record) was an eighth of a CPU
 * profile of preparing batches. A bigint (a time past ±9e15 µs) waits aside, its slot NaN.
 */
export class IntColumn extends Column<number | bigint> {
  private readonly data = new Bytes();
  private readonly wide = this.element.type === "INT64";
  private numbers = new Float64Array(1024);
  private bigints: Map<number, bigint> | null = null;
  private count = 0;

  protected pushValue(value: number | bigint): void {
    if (this.count === this.numbers.length) {
      this.numbers = grown(this.numbers, new Float64Array(this.count * 2));
    }
    if (typeof value === "number") {
      this.numbers[this.count++] = value;
    } else {
      this.bigints ??= new Map();
      this.bigints.set(this.count, value);
      this.numbers[this.count++] = Number.NaN;
    }
  }

  protected values(): Uint8Array {
    const { data, numbers, count } = this;
    data.length = 0;
    data.ensure(count * (this.wide ? 8 : 4));
    const view = data.view;
    if (this.wide) {
      for (let i = 0; i < count; i++) {
        const value = numbers[i] as number;
        const high = Math.floor(value / 4294967296);
        view.setUint32(i * 8, value - high * 4294967296, true);
        view.setInt32(i * 8 + 4, high, true);
      }
      for (const [i, value] of this.bigints ?? []) view.setBigInt64(i * 8, value, true);
    } else {
      for (let i = 0; i < count; i++) view.setInt32(i * 4, numbers[i] as number, true);
      for (const [i, value] of this.bigints ?? []) view.setInt32(i * 4, Number(value), true);
    }
    data.length = count * (this.wide ? 8 : 4);
    return data.contents;
  }

  protected statistics(): Statistics {
    const bounds = new NumberBounds();
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    // A bigint's NaN slot compares false both ways.
    for (let i = 0; i < this.count; i++) {
      const value = this.numbers[i] as number;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    if (min <= max) {
      bounds.add(min);
      bounds.add(max);
    }
    for (const value of this.bigints?.values() ?? []) bounds.add(value);
    return bounds.statistics(this.nulls, this.wide);
  }

  protected override releaseValues(): void {
    this.data.release();
  }

  protected resetValues(): void {
    this.count = 0;
    this.bigints = null;
  }
}

/** Booleans, PLAIN: bit-packed, least significant bit first. */
export class BooleanColumn extends Column<boolean> {
  private readonly data = new Bytes();
  private count = 0;
  private trues = 0;

  protected pushValue(value: boolean): void {
    if (this.count % 8 === 0) this.data.u8(0);
    if (value) {
      const last = this.data.length - 1;
      this.data.bytes[last] = (this.data.bytes[last] as number) | (1 << (this.count % 8));
      this.trues++;
    }
    this.count++;
  }
  protected values(): Uint8Array {
    return this.data.contents;
  }
  protected statistics(): Statistics {
    return booleanStatistics(this.count, this.trues, this.nulls);
  }
  protected override releaseValues(): void {
    this.data.release();
  }
  protected resetValues(): void {
    this.data.length = 0;
    this.count = 0;
    this.trues = 0;
  }
}
