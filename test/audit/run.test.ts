/**
 * `dchat audit` against the real broker: several runs with new records between them on a
 * multi-partition Hangul-named room with bad records, nothing-new runs, retention gaps and the
 * lock. The archive is read back with DuckDB and compared with the topic as librdkafka reads it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireLock } from "../../lib/audit/lock.ts";
import { roomToTopic } from "../../lib/rooms.ts";
import { encode } from "../../lib/wire.ts";
import { brokerAddress, uniqueName } from "../support/broker.ts";
import { runMain } from "../support/in-process.ts";
import {
  archivedRecords,
  createTopic,
  deleteCreatedTopics,
  duck,
  expectedRow,
  kafkaFor,
  processedKeys,
  produce,
  runAuditProcess,
  topicRecords,
} from "./support.ts";

let brokers: string;
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dchat-audit-"));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  brokers = await brokerAddress();
});

afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await deleteCreatedTopics(brokers);
});

/** A new room's topic with `partitions` partitions, and an empty directory for its archive. */
async function freshRoom(prefix: string, partitions: number) {
  const kafka = kafkaFor(brokers);
  const topic = uniqueName(prefix);
  await createTopic(kafka, topic, partitions);
  return { kafka, topic, out: tempDir() };
}

function chat(
  partition: number,
  sender: string,
  message: string,
  end = false,
  time = "2024-08-26T11:26:28.670735",
) {
  return { partition, value: encode({ sender, message, end, timestamp: time }) };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function expectArchiveEqualsTopic(out: string, topic: string): Promise<void> {
  const inTopic = topicRecords(brokers, topic);
  const archived = (await archivedRecords(out)).filter((r) => r.topic === topic);
  expect(archived.map((r) => `${r.partition}:${r.offset}`)).toEqual(
    inTopic
      .map((r) => ({ ...r }))
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
      .map((r) => `${r.partition}:${r.offset}`),
  );
  const byKey = new Map(inTopic.map((r) => [`${r.partition}:${r.offset}`, r]));
  for (const row of archived) {
    const record = byKey.get(`${row.partition}:${row.offset}`);
    if (record === undefined) throw new Error(`archived ${row.partition}:${row.offset} is not in the topic`);
    const { sender, message, end, timestamp, raw } = row;
    expect({ sender, message, end, timestamp, raw }).toEqual(expectedRow(record));
  }
}

describe("dchat audit", () => {
  test("archives a Hangul room's partitions exactly over several runs, keeping bad records", async () => {
    const kafka = kafkaFor(brokers);
    const room = `감사 테스트 ${uniqueName("방")}`;
    const topic = roomToTopic(room) as string;
    await createTopic(kafka, topic, 3);
    const out = tempDir();

    await produce(kafka, topic, [
      chat(0, "[INFO]", "User [민수] has entered the chat!\n"),
      chat(0, "민수", "안녕하세요\n두 줄"),
      chat(1, "jane", "hello there", false, "2024-08-27T00:00:01"),
      { partition: 1, value: Buffer.from([0xff, 0xfe, 0x00]) },
      { partition: 2, value: "not json {" },
      { partition: 2, value: null },
      { partition: 2, value: '{"sender": 1, "message": "x", "end": false}' },
      chat(2, "민수", "\nUser [민수] has exited the chatroom.", true),
    ]);
    const first = await runAuditProcess([
      "--out",
      out,
      "--rooms",
      room,
      "--brokers",
      brokers,
      "--file-records",
      "2",
    ]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`room "${room}" partition 2: 4 records`);
    await expectArchiveEqualsTopic(out, topic);
    const bad = (await archivedRecords(out)).filter((r) => r.problem !== null).map((r) => r.problem);
    expect(bad.sort()).toEqual(["bad-field", "empty", "invalid-utf8", "not-json"]);

    const quiet = await runAuditProcess(["--out", out, "--rooms", room, "--brokers", brokers]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toContain("nothing new");
    const filesBefore = listFiles(out).filter((f) => f.endsWith(".parquet"));

    await produce(
      kafka,
      topic,
      Array.from({ length: 30 }, (_, i) => chat(i % 3, `user${i % 4}`, `메시지 ${i}`)),
    );
    const third = await runAuditProcess(["--out", out, "--rooms", room, "--brokers", brokers]);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain("archived 30 records");
    await expectArchiveEqualsTopic(out, topic);
    // Earlier files are untouched; the processed view holds exactly the chat messages, once each.
    expect(listFiles(out).filter((f) => f.endsWith(".parquet"))).toEqual(expect.arrayContaining(filesBefore));
    const processed = await processedKeys(out);
    expect(processed.length).toBe(new Set(processed.map((p) => p.key)).size);
    expect(processed.length).toBe(2 + 30);
    expect(processed.find((p) => p.message === "안녕하세요 두 줄")?.date).toBe("2024-08-26");
    expect(processed.find((p) => p.message === "hello there")?.date).toBe("2024-08-27");
    expect(readdirSync(join(out, "messages_audit"))).toEqual([`room=${room}`]);
  }, 60_000);

  test("a backlog of many fetches and many files per partition is archived exactly (regression: stalled at one fetch)", async () => {
    const { kafka, topic, out } = await freshRoom("audit-backlog", 2);
    const text = "가나다라마바사 hello ".repeat(12);
    await produce(
      kafka,
      topic,
      Array.from({ length: 24_000 }, (_, i) => chat(i % 2, `u${i % 7}`, `${i} ${text}`)),
    );
    const result = await runAuditProcess([
      "--out",
      out,
      "--rooms",
      topic,
      "--brokers",
      brokers,
      "--file-records",
      "2500",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("archived 24,000 records");
    await expectArchiveEqualsTopic(out, topic);
    // 12,000 records of about 680 bytes per partition: files end at 2,500 records, well before
    // the 2 MiB byte limit, so 5 files per partition.
    expect(readdirSync(join(out, "messages_audit", `room=${topic}`)).length).toBe(10);
  }, 60_000);

  test("files are zstd-compressed, with column statistics and row groups of at most 10,000 rows (DuckDB's parquet_metadata)", async () => {
    const { kafka, topic, out } = await freshRoom("audit-meta", 1);
    await produce(
      kafka,
      topic,
      Array.from({ length: 12_000 }, (_, i) => chat(0, `u${i % 3}`, `m${i}`)),
    );
    const result = await runAuditProcess([
      "--out",
      out,
      "--rooms",
      topic,
      "--brokers",
      brokers,
      "--no-stats",
    ]);
    expect(result.code).toBe(0);
    const [raw = "", processed = ""] = ["messages_audit", "message_processed"].map((dataset) => {
      const files = listFiles(join(out, dataset));
      expect(files).toHaveLength(1);
      return files[0] as string;
    });
    type Meta = {
      row_group_id: number;
      row_group_num_rows: number;
      path_in_schema: string;
      compression: string;
      stats_min_value: string | null;
      stats_max_value: string | null;
      stats_null_count: number | null;
    };
    const meta = (file: string) =>
      duck<Meta>(
        `SELECT row_group_id::INTEGER AS row_group_id, row_group_num_rows::INTEGER AS row_group_num_rows, path_in_schema, compression, stats_min_value, stats_max_value, stats_null_count::INTEGER AS stats_null_count FROM parquet_metadata('${file}') ORDER BY row_group_id, column_id`,
      );
    const rawMeta = await meta(raw);
    // The batch of 12,000 records is one file (under 50,000 records and 2 MiB) of two row groups.
    expect([...new Set(rawMeta.map((m) => `${m.row_group_id}:${m.row_group_num_rows}`))]).toEqual([
      "0:10000",
      "1:2000",
    ]);
    expect(new Set(rawMeta.map((m) => m.compression))).toEqual(new Set(["ZSTD"]));
    const stats = (column: string) =>
      rawMeta
        .filter((m) => m.path_in_schema === column)
        .map((m) => [m.stats_min_value, m.stats_max_value, m.stats_null_count]);
    expect(stats("offset")).toEqual([
      ["0", "9999", 0],
      ["10000", "11999", 0],
    ]);
    expect(stats("sender")).toEqual([
      ["u0", "u2", 0],
      ["u0", "u2", 0],
    ]);
    expect(stats("end")).toEqual([
      ["false", "false", 0],
      ["false", "false", 0],
    ]);
    expect(stats("problem")).toEqual([
      [null, null, 10000],
      [null, null, 2000],
    ]);
    // Long free text carries no bounds: no reader skips by them, and they would bloat the footer.
    expect(stats("message")).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
    const processedMeta = await meta(processed);
    expect(new Set(processedMeta.map((m) => m.compression))).toEqual(new Set(["ZSTD"]));
    expect(
      processedMeta.filter((m) => m.path_in_schema === "offset").map((m) => m.row_group_num_rows),
    ).toEqual([10000, 2000]);
  }, 60_000);

  test("batches are prepared in a worker thread, in the compiled binary too (--json says how many)", async () => {
    const { kafka, topic, out } = await freshRoom("audit-workers", 1);
    await produce(kafka, topic, [chat(0, "a", "hi")]);
    const result = await runAuditProcess(["--out", out, "--rooms", topic, "--brokers", brokers, "--json"]);
    expect(result.code).toBe(0);
    // A binary built without lib/audit/commit-worker.ts as an entry point would say 0 and still work.
    expect(JSON.parse(result.stdout)).toMatchObject({ records: 1, workers: expect.any(Number) });
    expect(JSON.parse(result.stdout).workers).toBeGreaterThanOrEqual(1);
  });

  test("a run with nothing new writes no files", async () => {
    const { topic, out } = await freshRoom("audit-empty", 2);
    const result = await runAuditProcess(["--out", out, "--rooms", topic, "--brokers", brokers]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("nothing new");
    expect(listFiles(out).filter((f) => !f.endsWith(".lock"))).toEqual([]);
  }, 60_000);

  test("no --out and no AUDIT_PATH is a usage error (lib/main.ts in-process)", async () => {
    const result = await runMain(["audit", "--brokers", brokers]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("AUDIT_PATH");
  }, 60_000);

  test("a second run while one holds the lock exits 75 at once; a killed holder never blocks", async () => {
    const out = tempDir();
    const lock = await acquireLock(out);
    if ("message" in lock) throw new Error(lock.message);
    const second = await runAuditProcess(["--out", out, "--brokers", brokers]);
    lock.release();
    expect(second.code).toBe(75);
    expect(second.stderr).toContain("another dchat audit run");

    const holder = Bun.spawn(
      [
        process.execPath,
        "-e",
        `const { acquireLock } = await import(${JSON.stringify(join(import.meta.dir, "../../lib/audit/lock.ts"))}); await acquireLock(${JSON.stringify(out)}); console.log("held"); await Bun.sleep(60000);`,
      ],
      { stdout: "pipe" },
    );
    const reader = holder.stdout.getReader();
    await reader.read();
    expect(
      (await runAuditProcess(["--out", out, "--brokers", brokers, "--rooms", uniqueName("none")])).code,
    ).toBe(75);
    holder.kill("SIGKILL");
    await holder.exited;
    const after = await runAuditProcess(["--out", out, "--brokers", brokers, "--rooms", uniqueName("none")]);
    expect(after.code).toBe(0);
  }, 60_000);

  test("records deleted by retention before archiving are reported and recorded as a gap", async () => {
    const { kafka, topic, out } = await freshRoom("audit-gap", 1);
    await produce(
      kafka,
      topic,
      Array.from({ length: 10 }, (_, i) => chat(0, "a", `first ${i}`)),
    );
    expect((await runAuditProcess(["--out", out, "--rooms", topic, "--brokers", brokers])).code).toBe(0);

    await produce(
      kafka,
      topic,
      Array.from({ length: 10 }, (_, i) => chat(0, "a", `second ${i}`)),
    );
    const admin = kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: "15" }] });
    await admin.disconnect();

    const result = await runAuditProcess(["--out", out, "--rooms", topic, "--brokers", brokers]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `records 10..14 of room "${topic}" partition 0 were deleted by retention`,
    );
    const state = JSON.parse(readFileSync(join(out, "_dchat_audit_state.json"), "utf8"));
    expect(state.gaps).toEqual([
      { room: topic, topic, partition: 0, from: 10, to: 15, detectedAt: expect.any(String) },
    ]);
    const offsets = (await archivedRecords(out)).map((r) => r.offset);
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 18, 19]);
  }, 60_000);
});
