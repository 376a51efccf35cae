import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "../wire.ts";
import { commitBatch, pack } from "./commit.ts";
import { emptyState, nextOffset, reconcile, setStateOffset } from "./offsets.ts";

const value = encode({ sender: "a", message: "m", end: false, timestamp: "2024-08-26T10:00:00" });
const batch = (first: number, last: number) =>
  pack(Array.from({ length: last - first + 1 }, (_, i) => ({ offset: first + i, timestampMs: 0, value })));

test("reconcile removes temp files and processed files of an uncommitted batch; files decide the next offset", () => {
  const out = mkdtempSync(join(tmpdir(), "dchat-audit-offsets-"));
  try {
    const job = { out, room: "r", topic: "t", partition: 0, stats: false };
    commitBatch({ ...job, records: batch(0, 9) });
    commitBatch({ ...job, records: batch(10, 19) });
    // A run killed between the processed file and the raw file of batch 20..29, and mid-write.
    const raw = join(
      out,
      "messages_audit",
      "room=r",
      "t+0+00000000000000000010+00000000000000000019.parquet",
    );
    commitBatch({ ...job, records: batch(20, 29) });
    rmSync(join(out, "messages_audit", "room=r", "t+0+00000000000000000020+00000000000000000029.parquet"));
    writeFileSync(`${raw}.tmp`, "partial");
    const processed = join(out, "message_processed", "date=2024-08-26");

    const reconciled = reconcile(out);
    expect(reconciled.removedTemps).toBe(1);
    expect(reconciled.removedOrphans).toBe(1);
    expect(existsSync(join(processed, "t+0+00000000000000000020+00000000000000000029.parquet"))).toBe(false);
    expect(existsSync(join(processed, "t+0+00000000000000000010+00000000000000000019.parquet"))).toBe(true);

    const state = emptyState();
    expect(nextOffset(state, reconciled, "t", 0)).toBe(20);
    setStateOffset(state, "t", 0, 5);
    expect(nextOffset(state, reconciled, "t", 0)).toBe(20);
    setStateOffset(state, "t", 0, 42);
    expect(nextOffset(state, reconciled, "t", 0)).toBe(42);
    expect(nextOffset(state, reconciled, "t", 1)).toBeUndefined();
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
