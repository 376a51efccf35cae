/**
 * One partition's records on their way into files. Records collect as fetched (offset, time,
 * value bytes) until the batch holds `maxRecords` records or `maxBytes` of values (bounded
 * memory whatever the backlog); then the batch is committed: decoded and encoded one row
 * group at a time, its processed-view files written first (one per local date), then its raw
 * file, all under the same offset-range name. The raw file is the commit point (offsets.ts),
 * so a crash anywhere in between leaves nothing the next run would count twice.
 */
import { join } from "node:path";
import { type AuditRow, auditFile, type FileBuilder, type ProcessedRow, processedFile } from "./archive.ts";
import { AUDIT_DIR, dataFileName, hiveDir, PROCESSED_DIR, writeDurably } from "./files.ts";
import { auditRow, processedByDate, type SourceRecord } from "./processed.ts";

/** Rows decoded and encoded at a time: also the row group size. */
const ROW_GROUP = 10_000;
/** Past this resident size a commit ends with a full collection (see commit). */
const MEMORY_BUDGET = 200 * 1024 * 1024;

export interface BatchLimits {
  maxRecords: number;
  maxBytes: number;
}

export interface CommitResult {
  rows: number;
  bad: number;
  files: number;
}

export class PartitionBatch {
  private records: SourceRecord[] = [];
  private bytes = 0;

  constructor(
    private readonly out: string,
    readonly room: string,
    readonly topic: string,
    readonly partition: number,
    private readonly limits: BatchLimits,
    private readonly onCommit: (result: CommitResult) => void,
    /** Sees every processed row of a batch before it is written (for the run's statistics). */
    private readonly onProcessed: (rows: readonly ProcessedRow[]) => void,
  ) {}

  add(records: readonly SourceRecord[]): void {
    for (const record of records) {
      this.records.push(record);
      this.bytes += record.value?.byteLength ?? 0;
      if (this.records.length >= this.limits.maxRecords || this.bytes >= this.limits.maxBytes) this.commit();
    }
  }

  commit(): void {
    const records = this.records;
    if (records.length === 0) return;
    this.records = [];
    this.bytes = 0;
    const name = dataFileName({
      topic: this.topic,
      partition: this.partition,
      first: (records[0] as SourceRecord).offset,
      last: (records[records.length - 1] as SourceRecord).offset,
    });
    const raw = auditFile();
    const processed = new Map<string, FileBuilder<ProcessedRow>>();
    let bad = 0;
    for (let start = 0; start < records.length; start += ROW_GROUP) {
      const rows: AuditRow[] = records
        .slice(start, start + ROW_GROUP)
        .map((record) => auditRow(this.room, this.topic, this.partition, record));
      for (const row of rows) if (row.problem !== null) bad++;
      raw.add(rows);
      for (const [date, dated] of processedByDate(rows)) {
        let file = processed.get(date);
        if (file === undefined) {
          file = processedFile();
          processed.set(date, file);
        }
        file.add(dated);
        this.onProcessed(dated);
      }
    }
    for (const [date, file] of processed) {
      writeDurably(join(this.out, PROCESSED_DIR, hiveDir("date", date)), name, file.finish());
    }
    writeDurably(join(this.out, AUDIT_DIR, hiveDir("room", this.room)), name, raw.finish());
    this.onCommit({ rows: records.length, bad, files: processed.size + 1 });
    // The committed batch is garbage now. The collector lets such garbage pile up to several
    // times the live data; collecting once memory passes the budget keeps the peak bounded.
    if (process.memoryUsage.rss() > MEMORY_BUDGET) Bun.gc(true);
  }
}
