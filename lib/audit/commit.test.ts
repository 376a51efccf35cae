import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { encode } from "../wire.ts";
import { commitPrepared, pack, prepareBatch } from "./commit.ts";

const out = mkdtempSync(join(tmpdir(), "dchat-commit-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const compressors = { ZSTD: (input: Uint8Array) => new Uint8Array(Bun.zstdDecompressSync(input)) };
async function rows(path: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file, compressors, utf8: false });
}

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
  expect(prepared.outcome.counts?.users).toEqual(
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
