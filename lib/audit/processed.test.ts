import { expect, test } from "bun:test";
import fc from "fast-check";
import { encode } from "../wire.ts";
import { auditRow, processedByDate, wallClockDate, wallClockMicros } from "./processed.ts";

const kafkaMs = Date.UTC(2024, 7, 26, 2, 0, 0);

test("the sender's zone-less wall-clock time is kept to the microsecond, not shifted", () => {
  const micros = wallClockMicros("2024-08-26T23:59:59.670735", kafkaMs);
  expect(micros).toBe(BigInt(Date.UTC(2024, 7, 26, 23, 59, 59)) * 1000n + 670735n);
  expect(wallClockDate(micros)).toBe("2024-08-26");
});

test("rows keep bad records raw and flagged; the processed view drops joins, leaves and bad rows", () => {
  const record = (value: Uint8Array | null, offset: number) => ({ offset, timestampMs: kafkaMs, value });
  const rows = [
    auditRow(
      "방",
      "t",
      0,
      record(
        encode({
          sender: "[INFO]",
          message: "User [a] has entered the chat!\n",
          end: false,
          timestamp: "2024-08-26T10:00:00",
        }),
        0,
      ),
    ),
    auditRow(
      "방",
      "t",
      0,
      record(encode({ sender: "a", message: "둘\n줄", end: false, timestamp: "2024-08-26T10:00:01" }), 1),
    ),
    auditRow(
      "방",
      "t",
      0,
      record(
        encode({
          sender: "a",
          message: "\nUser [a] has exited the chatroom.",
          end: true,
          timestamp: "2024-08-27T00:00:00",
        }),
        2,
      ),
    ),
    auditRow("방", "t", 0, record(Buffer.from("{oops"), 3)),
  ];
  expect(rows[3]).toMatchObject({ sender: null, problem: "not-json", raw: Buffer.from("{oops") });
  const byDate = processedByDate(rows);
  expect([...byDate.keys()]).toEqual(["2024-08-26"]);
  expect(byDate.get("2024-08-26")?.map((r) => [r.offset, r.message])).toEqual([[1, "둘 줄"]]);
});

test("an impossible date falls back to the Kafka time; years below 100 stay themselves", () => {
  const fallback = Date.UTC(2024, 0, 1, 12, 0, 0);
  const local = BigInt(fallback - new Date(fallback).getTimezoneOffset() * 60_000) * 1000n;
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
