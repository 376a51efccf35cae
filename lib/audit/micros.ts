/**
 * Times in the archive are microseconds (Parquet TIMESTAMP(MICROS)): a number where that is
 * exact (within ±9e15 µs, years 1685-2255, every real chat message), a bigint beyond, so a
 * year-0099 or year-9999 timestamp keeps its microseconds without every record paying for
 * BigInt arithmetic.
 */
export type Micros = number | bigint;

/** Microseconds of `ms` milliseconds plus `extra` microseconds. */
export function micros(ms: number, extra: number): Micros {
  return Math.abs(ms) < 9e12 ? ms * 1000 + extra : BigInt(ms) * 1000n + BigInt(extra);
}

/** How many whole `unit`s (µs) `at` holds, rounded down (before 1970 too). */
export function floorDiv(at: Micros, unit: number): number {
  if (typeof at === "bigint") {
    const u = BigInt(unit);
    return Number(at >= 0n ? at / u : (at - u + 1n) / u);
  }
  // The float quotient of two exact integers can round up across a boundary; correct it.
  let q = Math.floor(at / unit);
  if (q * unit > at) q--;
  else if ((q + 1) * unit <= at) q++;
  return q;
}

export const MINUTES_A_DAY = 1440;

/** The minute of the day (0-1439) of a zone-less wall-clock reading in microseconds. */
export function minuteOfDay(localMicros: Micros): number {
  const minutes = floorDiv(localMicros, 60_000_000);
  return ((minutes % MINUTES_A_DAY) + MINUTES_A_DAY) % MINUTES_A_DAY;
}
