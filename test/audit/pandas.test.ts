/**
 * The archive as pandas/pyarrow users read it: each whole Hive-style dataset with one
 * `pd.read_parquet(dir)`, typed columns, partition keys from the directories. pandas and pyarrow
 * come from PyPI into .cache/py (the test command installs them); without them the test fails
 * naming what is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brokerAddress } from "../support/broker.ts";
import { deleteCreatedTopics, pythonWith, readersArchive } from "./support.ts";

let brokers: string;
const out = mkdtempSync(join(tmpdir(), "dchat-audit-pandas-"));
beforeAll(async () => {
  brokers = await brokerAddress();
});
afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await deleteCreatedTopics(brokers);
});

describe("pandas reads the archive", () => {
  test("both datasets, whole, with types and partition keys", async () => {
    const python = pythonWith("pandas", "pyarrow");
    const { room } = await readersArchive(brokers, out, "판다스");

    const script = `
import json, sys, pandas as pd
raw = pd.read_parquet(sys.argv[1] + "/messages_audit")
proc = pd.read_parquet(sys.argv[1] + "/message_processed")
print(json.dumps({
  "raw_rows": len(raw),
  "raw_rooms": sorted(set(str(r) for r in raw["room"])),
  "raw_types": {c: str(raw[c].dtype) for c in ["partition", "offset", "kafka_timestamp", "end", "local_time"]},
  "problems": sorted(p for p in raw["problem"].dropna()),
  "proc": sorted([s, m] for s, m in zip(proc["sender"], proc["message"])),
  "proc_dates": sorted(set(str(d) for d in proc["date"])),
  "proc_timestamp": str(proc["timestamp"].dtype),
}))`;
    const read = spawnSync(python, ["-c", script, out], { encoding: "utf8" });
    expect(read.stderr).toBe("");
    expect(JSON.parse(read.stdout)).toEqual({
      raw_rows: 6,
      raw_rooms: [room],
      raw_types: {
        partition: "int32",
        offset: "int64",
        kafka_timestamp: "datetime64[us, UTC]",
        end: "object",
        local_time: "datetime64[us]",
      },
      problems: ["bad-field", "not-json"],
      proc: [
        ["jane", "hello"],
        ["민수", "안녕하세요 두 줄"],
      ],
      proc_dates: ["2024-08-26"],
      proc_timestamp: "datetime64[us]",
    });
  });
});
