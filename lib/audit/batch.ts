/**
 * One partition's records on their way into files. Records collect until the batch holds
 * `maxRecords` records or `maxBytes` of record values (bounded memory whatever the backlog),
 * then the batch is committed: its processed-view files first, one per local date, then its
 * raw file, all under the same offset-range name. The raw file is the commit point (see
 * offsets.ts), so a crash anywhere in between leaves nothing the next run would count twice.
 */
import { join } from "node:path";
import { type AuditRow, encodeAuditFile, encodeProcessedFile } from "./archive.ts";
import { AUDIT_DIR, dataFileName, hiveDir, PROCESSED_DIR, writeDurably } from "./files.ts";
import { auditRow, processedByDate, type SourceRecord } from "./processed.ts";
import type { ProcessedRow } from "./archive.ts";

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
  private rows: AuditRow[] = [];
  private bytes = 0;

  constructor(
    private readonly out: string,
    readonly room: string,
    readonly topic: string,
    readonly partition: number,
    private readonly limits: BatchLimits,
    private readonly onCommit: (result: CommitResult, processed: ProcessedRow[][]) => void,
  ) {}

  add(records: readonly SourceRecord[]): void {
    for (const record of records) {
      this.rows.push(auditRow(this.room, this.topic, this.partition, record));
      this.bytes += record.value?.byteLength ?? 0;
      if (this.rows.length >= this.limits.maxRecords || this.bytes >= this.limits.maxBytes) this.commit();
    }
  }

  commit(): void {
    const rows = this.rows;
    if (rows.length === 0) return;
    this.rows = [];
    this.bytes = 0;
    const name = dataFileName({
      topic: this.topic,
      partition: this.partition,
      first: (rows[0] as AuditRow).offset,
      last: (rows[rows.length - 1] as AuditRow).offset,
    });
    const byDate = processedByDate(rows);
    for (const [date, processed] of byDate) {
      writeDurably(join(this.out, PROCESSED_DIR, hiveDir("date", date)), name, encodeProcessedFile(processed));
    }
    writeDurably(join(this.out, AUDIT_DIR, hiveDir("room", this.room)), name, encodeAuditFile(rows));
    let bad = 0;
    for (const row of rows) if (row.problem !== null) bad++;
    this.onCommit({ rows: rows.length, bad, files: byDate.size + 1 }, [...byDate.values()]);
  }
}
