/**
 * The archive as Spark users read it: each whole Hive-style dataset with one
 * `spark.read.parquet(dir)` and no options, typed columns, partition keys from the directories.
 * PySpark (Spark's jars included) comes from PyPI into .cache/py (the test command installs it) and
 * runs in local mode on the machine's Java; without it the test fails naming what is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brokerAddress } from "../support/broker.ts";
import { deleteCreatedTopics, pythonWith, readersArchive } from "./support.ts";

let brokers: string;
const out = mkdtempSync(join(tmpdir(), "dchat-audit-spark-"));
beforeAll(async () => {
  brokers = await brokerAddress();
});
afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await deleteCreatedTopics(brokers);
});

// One JVM for both datasets. The session time zone is deliberately not the writer's (UTC): an
// instant column must still be the same instant, a wall-clock column the same wall-clock reading.
const READ_ARCHIVE = `
import json, sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").appName("dchat-audit-spark-test")
  .config("spark.driver.memory", "512m").config("spark.ui.enabled", "false")
  .config("spark.sql.shuffle.partitions", "1").config("spark.sql.session.timeZone", "Asia/Seoul")
  .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
raw = spark.read.parquet(sys.argv[1] + "/messages_audit")
proc = spark.read.parquet(sys.argv[1] + "/message_processed")
types = lambda df, cols: {c: df.schema[c].dataType.simpleString() for c in cols}
rows = proc.collect()
print(json.dumps({
  "raw_rows": raw.count(),
  "raw_types": types(raw, ["room", "partition", "offset", "kafka_timestamp", "end", "local_time", "raw"]),
  "raw_rooms": sorted(r.room for r in raw.select("room").distinct().collect()),
  "raw_local_times": sorted(set(r.t for r in raw.selectExpr("cast(local_time as string) as t").collect() if r.t)),
  "kafka_micros": [r.us for r in raw.selectExpr("unix_micros(kafka_timestamp) as us").collect()],
  "raw_records": [[r.partition, r.offset, r.sender, r.message, r.end, r.problem, r.raw and bytes(r.raw).decode()]
    for r in raw.orderBy("partition", "offset").collect()],
  "proc_rows": proc.count(),
  "proc_types": types(proc, ["date", "room", "timestamp", "end"]),
  "proc": sorted([r.sender, r.message] for r in rows),
  "proc_ends": sorted(set(r.end for r in rows)),
  "proc_dates": sorted(set(str(r.date) for r in rows)),
  "proc_timestamps": sorted(set(r.t for r in proc.selectExpr("cast(timestamp as string) as t").collect())),
}, ensure_ascii=False))
spark.stop()
`;

describe("Spark reads the archive", () => {
  test("both datasets, whole, with types and partition keys", async () => {
    const python = pythonWith("pyspark");
    const { room, sentFrom, sentTo } = await readersArchive(brokers, out, "스파크");

    // SPARK_LOCAL_IP keeps the driver on loopback instead of the host's first interface.
    const read = Bun.spawn([python, "-c", READ_ARCHIVE, out], {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, SPARK_LOCAL_IP: "127.0.0.1", TZ: "UTC" },
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(read.stdout).text(),
      new Response(read.stderr).text(),
      read.exited,
    ]);
    if (code !== 0) throw new Error(`PySpark failed:\n${stderr}`);
    const { kafka_micros, ...printed } = JSON.parse(stdout);
    // The producer stamps each record with its send time: the same instant in any session zone.
    for (const micros of kafka_micros as number[]) {
      expect(micros).toBeGreaterThanOrEqual(sentFrom * 1000);
      expect(micros).toBeLessThanOrEqual(sentTo * 1000);
    }
    expect(kafka_micros).toHaveLength(6);
    expect(printed).toEqual({
      raw_rows: 6,
      // local_time is a Parquet TIMESTAMP with isAdjustedToUTC=false: a wall-clock reading with no
      // zone, which Spark (3.4+) maps to TIMESTAMP_NTZ, not to TIMESTAMP (an instant shown in the
      // session zone). So Spark shows it exactly as the sender's clock read it, whatever the
      // session zone; kafka_timestamp (isAdjustedToUTC=true) is an instant, Spark's TIMESTAMP.
      raw_types: {
        room: "string",
        partition: "int",
        offset: "bigint",
        kafka_timestamp: "timestamp",
        end: "boolean",
        local_time: "timestamp_ntz",
        raw: "binary",
      },
      raw_rooms: [room],
      raw_local_times: ["2024-08-26 11:26:28.670735"],
      // Every column of every row decoded, bad records kept with their problem and raw bytes (the
      // last one alone in its file, so that file's typed columns are all null).
      raw_records: [
        [0, 0, "[INFO]", "User [민수] has entered the chat!\n", false, null, null],
        [0, 1, "민수", "안녕하세요\n두 줄", false, null, null],
        [1, 0, "jane", "hello", false, null, null],
        [1, 1, null, null, null, "not-json", "not json"],
        [1, 2, "jane", "\nUser [jane] has exited the chatroom.", true, null, null],
        [2, 0, null, null, null, "bad-field", '{"sender": 7}'],
      ],
      proc_rows: 2,
      proc_types: { date: "date", room: "string", timestamp: "timestamp_ntz", end: "boolean" },
      proc: [
        ["jane", "hello"],
        ["민수", "안녕하세요 두 줄"],
      ],
      proc_ends: [false],
      proc_dates: ["2024-08-26"],
      proc_timestamps: ["2024-08-26 11:26:28.670735"],
    });
  }, 120_000);
});
