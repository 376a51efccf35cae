import { expect, test } from "bun:test";
import fc from "fast-check";
import { floorDiv } from "./micros.ts";
import { wallClockDate, wallClockMicros, wallClockMicrosOfBytes } from "./processed.ts";

const kafkaMs = Date.UTC(2024, 7, 26, 2, 0, 0);

test("the sender's zone-less wall-clock time is kept to the microsecond, not shifted", () => {
  const micros = wallClockMicros("2024-08-26T23:59:59.670735", kafkaMs);
  expect(BigInt(micros)).toBe(BigInt(Date.UTC(2024, 7, 26, 23, 59, 59)) * 1000n + 670735n);
  expect(wallClockDate(micros)).toBe("2024-08-26");
});

test("an impossible date falls back to the Kafka time; years below 100 stay themselves", () => {
  const fallback = Date.UTC(2024, 0, 1, 12, 0, 0);
  const local = (fallback - new Date(fallback).getTimezoneOffset() * 60_000) * 1000;
  expect(wallClockMicros("2023-02-29T10:00:00", fallback)).toBe(local);
  expect(wallClockDate(wallClockMicros("0099-12-31T23:59:59.5", fallback))).toBe("0099-12-31");
  expect(wallClockDate(wallClockMicros("1969-12-31T23:59:59", fallback))).toBe("1969-12-31");
});

test("the fast reading of client timestamps equals the general one, valid or not", () => {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  fc.assert(
    fc.property(
      fc.record({
        year: fc.integer({ min: 0, max: 9999 }),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        hour: fc.integer({ min: 0, max: 25 }),
        minute: fc.integer({ min: 0, max: 61 }),
        second: fc.integer({ min: 0, max: 61 }),
        micros: fc.integer({ min: 0, max: 999_999 }),
      }),
      ({ year, month, day, hour, minute, second, micros }) => {
        const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(micros, 6)}`;
        // A seventh fractional digit sends the same reading through the regex.
        expect(wallClockMicros(text, kafkaMs)).toBe(wallClockMicros(`${text}9`, kafkaMs));
      },
    ),
    { numRuns: 20_000 },
  );
});

test("a timestamp read from its UTF-8 bytes equals the reading of its text, in any form", () => {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  const clientForm = fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 999_999 }),
    )
    .map(
      ([y, mo, d, h, mi, s, us]) =>
        `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(us, 6)}`,
    );
  // The client form with one character replaced: other separators, non-digits, non-ASCII.
  const nearly = fc
    .tuple(clientForm, fc.nat(25), fc.constantFrom(..."0 T:-.Z+x٣가\u0000"))
    .map(([text, at, c]) => text.slice(0, at) + c + text.slice(at + 1));
  const text = fc.oneof(clientForm, nearly, fc.string({ unit: "binary", maxLength: 30 }));
  fc.assert(
    fc.property(text, (t) => {
      const wellFormed = t.toWellFormed();
      const bytes = new TextEncoder().encode(wellFormed);
      expect(wallClockMicrosOfBytes(bytes, kafkaMs)).toBe(wallClockMicros(wellFormed, kafkaMs));
    }),
    { numRuns: 20_000 },
  );
});

test("a reading is its fields as UTC to the microsecond, whatever day came before", () => {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  const reading = fc.record({
    year: fc.integer({ min: 1, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    micros: fc.integer({ min: 0, max: 999_999 }),
  });
  fc.assert(
    fc.property(fc.array(reading, { minLength: 1, maxLength: 6 }), (readings) => {
      for (const { year, month, day, hour, minute, second, micros } of readings) {
        const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(micros, 6)}`;
        const date = new Date(0);
        date.setUTCFullYear(year, month - 1, day);
        date.setUTCHours(hour, minute, second);
        expect(BigInt(wallClockMicros(text, kafkaMs))).toBe(BigInt(date.getTime()) * 1000n + BigInt(micros));
      }
    }),
    { numRuns: 5_000 },
  );
});

test("times beyond exact floating point keep every microsecond (as bigints)", () => {
  const far = wallClockMicros("9999-12-31T23:59:59.999999", kafkaMs);
  expect(far).toBe(BigInt(Date.UTC(9999, 11, 31, 23, 59, 59)) * 1000n + 999_999n);
  expect(wallClockDate(far)).toBe("9999-12-31");
  const early = wallClockMicros("0001-01-01T00:00:00.000001", kafkaMs);
  expect(early).toBe(BigInt(new Date(0).setUTCFullYear(1, 0, 1)) * 1000n + 1n);
  expect(wallClockDate(early)).toBe("0001-01-01");
});

test("whole days and minutes are floored exactly, as numbers and as bigints", () => {
  const day = 86_400_000_000;
  fc.assert(
    fc.property(fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: -2, max: 2 }), (d, nudge) => {
      const at = d * day + nudge;
      const expected = Math.floor(
        Number((BigInt(at) - (((BigInt(at) % BigInt(day)) + BigInt(day)) % BigInt(day))) / BigInt(day)),
      );
      expect(floorDiv(at, day)).toBe(expected);
      expect(floorDiv(BigInt(at), day)).toBe(expected);
    }),
  );
});
