import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parquetReadObjects } from "hyparquet";
import { encode, parseRecord } from "../wire.ts";
import { commitPrepared, Packer, pack, prepareBatch, reuseValues } from "./commit.ts";
import { wallClockMicros } from "./processed.ts";
import { addRows, type Counts, emptyTally, settle } from "./stats.ts";
import type { StatsRows } from "./stats-rows.ts";

/** What the main thread counts of a committed batch's statistics rows. */
function counted(rows: StatsRows | null): Counts {
  const tally = emptyTally();
  if (rows !== null) addRows(tally, rows);
  return settle(tally);
}

const out = mkdtempSync(join(tmpdir(), "dchat-commit-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const compressors = { ZSTD: (input: Uint8Array) => new Uint8Array(Bun.zstdDecompressSync(input)) };
async function rows(path: string, parsers = {}): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file, compressors, utf8: false, parsers });
}
/** Timestamps as the exact microseconds stored. */
const micros = {
  timestampFromMicroseconds: (v: bigint | number) => BigInt(v),
  timestampFromMilliseconds: (v: bigint | number) => BigInt(v) * 1000n,
};

test("a batch keeps every record raw, bad ones flagged; the processed view drops joins, leaves and bad rows", async () => {
  const kafkaMs = Date.UTC(2024, 7, 26, 2, 0, 0);
  const chat = (sender: string, message: string, end: boolean, timestamp: string) =>
    encode({ sender, message, end, timestamp });
  const values = [
    chat("[INFO]", "User [a] has entered the chat!\n", false, "2024-08-26T10:00:00"),
    chat("a", "둘\n줄", false, "2024-08-26T10:00:01.5"),
    chat("b", "next day", false, "2024-08-27T00:00:00"),
    chat("a", "\nUser [a] has exited the chatroom.", true, "2024-08-27T00:00:01"),
    Buffer.from("{oops"),
    null,
  ];
  const records = values.map((value, i) => ({ offset: 40 + i, timestampMs: kafkaMs + i, value }));
  const prepared = prepareBatch({
    out,
    room: "방",
    topic: "t",
    partition: 2,
    records: pack(records),
    stats: true,
  });
  commitPrepared(prepared);
  expect(prepared.outcome).toMatchObject({ rows: 6, bad: 2, files: 3 });
  expect(counted(prepared.outcome.stats).users).toEqual(
    new Map([
      ["a", 1],
      ["b", 1],
    ]),
  );

  const raw = await rows(join(prepared.rawDir, prepared.name));
  expect(raw.map((r) => [r.offset, r.sender, r.end, r.problem])).toEqual([
    [40n, "[INFO]", false, null],
    [41n, "a", false, null],
    [42n, "b", false, null],
    [43n, "a", true, null],
    [44n, null, null, "not-json"],
    [45n, null, null, "empty"],
  ]);
  expect(new Uint8Array(raw[4]?.raw as Uint8Array)).toEqual(new Uint8Array(Buffer.from("{oops")));
  expect(raw[1]?.message).toBe("둘\n줄");
  expect(raw[1]?.timestamp).toBe("2024-08-26T10:00:01.5");
  expect(raw[0]?.kafka_timestamp).toEqual(new Date(kafkaMs));

  const dates = readdirSync(join(out, "message_processed")).sort();
  expect(dates).toEqual(["date=2024-08-26", "date=2024-08-27"]);
  const first = await rows(join(out, "message_processed", "date=2024-08-26", prepared.name));
  expect(first.map((r) => [r.room, r.topic, r.partition, r.offset, r.sender, r.message, r.end])).toEqual([
    ["방", "t", 2, 41n, "a", "둘 줄", false],
  ]);
  const second = await rows(join(out, "message_processed", "date=2024-08-27", prepared.name));
  expect(second.map((r) => [r.offset, r.message])).toEqual([[42n, "next day"]]);
});

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const timestamp = fc.oneof(
  fc.constant(""),
  fc.string({ unit: "binary", maxLength: 30 }),
  // Real dates of every year (beyond ±9e15 µs the writer takes its bigint path), some zoned.
  fc
    .record({
      year: fc.integer({ min: 1, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      second: fc.integer({ min: 0, max: 86_399 }),
      micros: fc.integer({ min: 0, max: 999_999 }),
      zone: fc.constantFrom("", "Z", "+09:00", "-0530"),
    })
    .map(
      (t) =>
        `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(Math.floor(t.second / 3600), 2)}:` +
        `${pad(Math.floor(t.second / 60) % 60, 2)}:${pad(t.second % 60, 2)}.${pad(t.micros, 6)}${t.zone}`,
    ),
);
const value = fc.oneof(
  fc.constant(null),
  fc.uint8Array({ maxLength: 60 }),
  fc
    .record({
      sender: fc.oneof(fc.constantFrom("[INFO]", "민수", "a"), fc.string({ unit: "binary", maxLength: 8 })),
      message: fc.string({ unit: "binary", maxLength: 80 }),
      end: fc.boolean(),
      timestamp,
    })
    .map((record) => encode(record)),
);

test("any records, hostile ones too, are in the raw file once each, as parseRecord reads them", async () => {
  const kafkaMs = Date.UTC(2024, 7, 26, 2, 0, 0);
  await fc.assert(
    fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 30 }), async (values) => {
      const dir = mkdtempSync(join(tmpdir(), "dchat-commit-any-"));
      try {
        const records = values.map((v, i) => ({ offset: 1000 + i, timestampMs: kafkaMs + i, value: v }));
        const prepared = prepareBatch({
          out: dir,
          room: "방",
          topic: "t",
          partition: 0,
          records: pack(records),
          stats: true,
        });
        commitPrepared(prepared);
        const raw = await rows(join(prepared.rawDir, prepared.name), micros);
        expect(raw.map((r) => r.offset)).toEqual(records.map((r) => BigInt(r.offset)));
        const chat: bigint[] = [];
        for (const [i, row] of raw.entries()) {
          const record = records[i] as (typeof records)[number];
          const parsed = parseRecord(record.value);
          if (!parsed.ok) {
            expect(row.problem).toBe(parsed.problem);
            expect(new Uint8Array(row.raw as Uint8Array)).toEqual(new Uint8Array(parsed.raw));
            continue;
          }
          const { sender, message, end, timestamp: text } = parsed.record;
          if (sender !== "[INFO]" && !end) chat.push(BigInt(record.offset));
          expect({
            sender: row.sender,
            message: row.message,
            end: row.end,
            timestamp: row.timestamp,
            local: row.local_time,
            problem: row.problem,
          }).toEqual({
            // UTF-8 cannot carry a lone surrogate: it is stored as U+FFFD, as TextEncoder would.
            sender: sender.toWellFormed(),
            message: message.toWellFormed(),
            end,
            timestamp: text === "" ? null : text.toWellFormed(),
            local: BigInt(wallClockMicros(text, record.timestampMs)),
            problem: null,
          });
        }
        expect(counted(prepared.outcome.stats).messages).toBe(chat.length);
        // The processed view holds exactly the chat messages, each in the file of its date.
        const processedDir = join(dir, "message_processed");
        const processed: bigint[] = [];
        for (const date of chat.length > 0 ? readdirSync(processedDir) : []) {
          for (const row of await rows(join(processedDir, date, prepared.name), micros)) {
            const at = row.timestamp as bigint;
            const ms = at / 1000n - (at % 1000n < 0n ? 1n : 0n);
            expect(`date=${new Date(Number(ms)).toISOString().slice(0, 10)}`).toBe(date);
            processed.push(row.offset as bigint);
          }
        }
        expect(processed.sort((a, b) => (a < b ? -1 : 1))).toEqual(chat);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 150 },
  );
});

test("a packer's next batch fills a value buffer handed back from a prepared batch, whole", () => {
  const packer = new Packer();
  const record = (offset: number, text: string) => ({ offset, timestampMs: 0, value: Buffer.from(text) });
  packer.add(record(0, "first"));
  packer.add({ offset: 1, timestampMs: 0, value: null });
  const first = packer.take();
  expect(Buffer.from(first.bytes).toString()).toBe("first");
  expect([...first.lengths]).toEqual([5, -1]);

  reuseValues(first.bytes.buffer as ArrayBuffer);
  packer.take(); // an empty take: the packer moves into the buffer handed back
  packer.add(record(7, "second batch"));
  const second = packer.take();
  expect(second.bytes.buffer).toBe(first.bytes.buffer);
  expect(Buffer.from(second.bytes).toString()).toBe("second batch");
  expect([...second.offsets]).toEqual([7]);
});
