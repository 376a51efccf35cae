/**
 * A row group's min/max bounds of one column, as the footer's Statistics: numbers (INT64 bounds
 * as bigint), booleans, and byte arrays in Parquet's unsigned byte order.
 */
import { compareBytes } from "./bytes.ts";
import type { Statistics } from "./format.ts";

export class NumberBounds {
  private min: number | bigint | undefined;
  private max: number | bigint | undefined;

  add(value: number | bigint): void {
    if (this.min === undefined || value < this.min) this.min = value;
    if (this.max === undefined || value > this.max) this.max = value;
  }

  statistics(nulls: number, wide: boolean): Statistics {
    const bound = (v: number | bigint | undefined) => (v === undefined || !wide ? v : BigInt(v));
    return { min_value: bound(this.min), max_value: bound(this.max), null_count: BigInt(nulls) };
  }

  reset(): void {
    this.min = undefined;
    this.max = undefined;
  }
}

/** Bounds of `count` booleans of which `trues` are true. */
export function booleanStatistics(count: number, trues: number, nulls: number): Statistics {
  const any = count > 0;
  return {
    min_value: any ? trues === count : undefined,
    max_value: any ? trues > 0 : undefined,
    null_count: BigInt(nulls),
  };
}

export class ByteBounds {
  private min: Uint8Array | undefined;
  private max: Uint8Array | undefined;

  /**
   * `value` may be a view into a buffer that changes later: a new bound is copied (with
   * `new Uint8Array`, since a Buffer's `slice` is another view).
   */
  add(value: Uint8Array): void {
    if (this.min === undefined || compareBytes(value, this.min) < 0) this.min = new Uint8Array(value);
    if (this.max === undefined || compareBytes(value, this.max) > 0) this.max = new Uint8Array(value);
  }

  statistics(nulls: number): Statistics {
    return { min_value: this.min, max_value: this.max, null_count: BigInt(nulls) };
  }

  reset(): void {
    this.min = undefined;
    this.max = undefined;
  }
}
