/**
 * A batch's processed messages as the statistics count them (sender, message, minute of the
 * day), packed into a few transferable arrays. The worker that decodes a batch collects them;
 * the main thread counts them once the batch is committed (run.ts, stats.ts `addRows`). Counting
 * was a fifth of preparing a batch, and the worker is the run's busy thread, while the fetching
 * main thread waits on the network much of the time (bench/audit).
 */
import { grown } from "./grown.ts";
import { type Micros, minuteOfDay } from "./micros.ts";

export interface StatsRows {
  count: number;
  /** The rows' UTF-8 messages back to back: row i's are [ends[i - 1] (0 for the first), ends[i]). */
  bytes: Uint8Array;
  ends: Int32Array;
  /** Each distinct sender once; `senderOf[i]` is row i's index here. */
  senders: string[];
  senderOf: Int32Array;
  /** The minute of the day (0-1439) of each row's local wall-clock time. */
  minutes: Uint16Array;
  /**
   * Rows whose message came from the general decoder, as [row, text] (their bytes are empty):
   * counted as that text, which UTF-8 cannot always hold (a lone surrogate).
   */
  texts: [number, string][];
}

/** The arrays a `StatsRows` owns, for `postMessage`'s transfer list. */
export function transferables(rows: StatsRows): ArrayBuffer[] {
  return [rows.bytes.buffer, rows.ends.buffer, rows.senderOf.buffer, rows.minutes.buffer] as ArrayBuffer[];
}

export class StatsRowsBuilder {
  // Never a slice of a shared pool: the rows' bytes are transferred with their whole buffer.
  private bytes = Buffer.allocUnsafeSlow(256 * 1024);
  private size = 0;
  private ends = new Int32Array(1024);
  private senderOf = new Int32Array(1024);
  private minutes = new Uint16Array(1024);
  private readonly senderIds = new Map<string, number>();
  private readonly texts: [number, string][] = [];
  private count = 0;

  /** A message decoded to text (the general decoder's). */
  add(sender: string, message: string, localTime: Micros): void {
    this.grow();
    this.texts.push([this.count, message]);
    this.addRow(sender, localTime);
  }

  /** A message that is UTF-8 bytes [start, end) of `source`. */
  addRange(sender: string, source: Buffer, start: number, end: number, localTime: Micros): void {
    this.grow();
    if (this.size + end - start > this.bytes.length)
      this.bytes = grown(
        this.bytes,
        Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.size + end - start)),
      );
    source.copy(this.bytes, this.size, start, end);
    this.size += end - start;
    this.addRow(sender, localTime);
  }

  private grow(): void {
    if (this.count === this.ends.length) {
      this.ends = grown(this.ends, new Int32Array(this.count * 2));
      this.senderOf = grown(this.senderOf, new Int32Array(this.count * 2));
      this.minutes = grown(this.minutes, new Uint16Array(this.count * 2));
    }
  }

  private addRow(sender: string, localTime: Micros): void {
    let id = this.senderIds.get(sender);
    if (id === undefined) {
      id = this.senderIds.size;
      this.senderIds.set(sender, id);
    }
    this.ends[this.count] = this.size;
    this.senderOf[this.count] = id;
    this.minutes[this.count] = minuteOfDay(localTime);
    this.count++;
  }

  /** The rows, in arrays of their own (transferable); the builder is not used again. */
  finish(): StatsRows {
    return {
      count: this.count,
      bytes: this.bytes.subarray(0, this.size),
      ends: this.ends.slice(0, this.count),
      senders: [...this.senderIds.keys()],
      senderOf: this.senderOf.slice(0, this.count),
      minutes: this.minutes.slice(0, this.count),
      texts: this.texts,
    };
  }
}
