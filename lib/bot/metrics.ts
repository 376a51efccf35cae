/**
 * The bot's Prometheus metrics: what it did with the records it read, how long answers took,
 * its transactions, its share of the group and its lag, and the process's memory and CPU.
 * Plain counters updated as the bot works (ownership.ts, batch-report.ts); `render` writes the Prometheus text format (0.0.4).
 */

/** Question → committed answer, in seconds. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Heartbeats go out every second; this much silence means the group coordinator is out of reach. */
const READY_SILENCE_MS = 5000;

export type RecordOutcome = "answered" | "rate_limited" | "malformed" | "ignored";

export interface ProcessSample {
  residentBytes: number;
  cpuSeconds: number;
  startSeconds: number;
}

export class BotMetrics {
  readonly records: Record<RecordOutcome, number> = {
    answered: 0,
    rate_limited: 0,
    malformed: 0,
    ignored: 0,
  };
  readonly transactions = { committed: 0, failed: 0 };
  readonly latency = { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
  /** Records behind the end of each assigned partition, as of its last batch: room → partition → lag. */
  lag = new Map<string, Map<number, number>>();
  rooms = 0;
  partitions = 0;
  slots = 0;
  /** This replica has taken its assignment over: producers initialised, partitions resumed. */
  holding = false;
  /** When the group coordinator last answered a heartbeat or a join (ms since the epoch). */
  heardAt = 0;

  /** Ready: holding its assignment, and the coordinator answered within a few heartbeats. */
  isReady(nowMs: number): boolean {
    return this.holding && nowMs - this.heardAt < READY_SILENCE_MS;
  }

  observeLatency(seconds: number): void {
    this.latency.sum += seconds;
    this.latency.count++;
    LATENCY_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.latency.buckets[i] = (this.latency.buckets[i] ?? 0) + 1;
    });
  }

  setLag(room: string, partition: number, lag: number): void {
    const partitions = this.lag.get(room) ?? new Map<number, number>();
    partitions.set(partition, lag);
    this.lag.set(room, partitions);
  }

  /** A new assignment: this replica's share and, until batches arrive, no lag figures. */
  assigned(rooms: number, partitions: number, slots: number): void {
    this.rooms = rooms;
    this.partitions = partitions;
    this.slots = slots;
    this.lag = new Map();
  }

  render(sample: ProcessSample): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string, lines: string[]) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    family(
      "dchat_bot_records_total",
      "counter",
      "Records read from the rooms, by what the bot did with them.",
      Object.entries(this.records).map(
        ([outcome, n]) => `dchat_bot_records_total${labels({ outcome })} ${n}`,
      ),
    );
    family(
      "dchat_bot_answer_latency_seconds",
      "histogram",
      "From a question's Kafka timestamp to its answer's committed transaction.",
      [
        ...LATENCY_BUCKETS.map(
          (bound, i) =>
            `dchat_bot_answer_latency_seconds_bucket${labels({ le: String(bound) })} ${this.latency.buckets[i]}`,
        ),
        `dchat_bot_answer_latency_seconds_bucket${labels({ le: "+Inf" })} ${this.latency.count}`,
        `dchat_bot_answer_latency_seconds_sum ${this.latency.sum}`,
        `dchat_bot_answer_latency_seconds_count ${this.latency.count}`,
      ],
    );
    family(
      "dchat_bot_transactions_total",
      "counter",
      "Transactions of answers and offsets, by result (failed ones are aborted or fenced).",
      Object.entries(this.transactions).map(
        ([result, n]) => `dchat_bot_transactions_total${labels({ result })} ${n}`,
      ),
    );
    family(
      "dchat_bot_consumer_lag",
      "gauge",
      "Records not yet read in each assigned room partition, as of its last batch.",
      [...this.lag].flatMap(([room, partitions]) =>
        [...partitions].map(
          ([partition, lag]) =>
            `dchat_bot_consumer_lag${labels({ room, partition: String(partition) })} ${lag}`,
        ),
      ),
    );
    family("dchat_bot_rooms", "gauge", "Rooms with a partition assigned to this replica.", [
      `dchat_bot_rooms ${this.rooms}`,
    ]);
    family("dchat_bot_partitions", "gauge", "Room partitions assigned to this replica.", [
      `dchat_bot_partitions ${this.partitions}`,
    ]);
    family("dchat_bot_slots", "gauge", "Assignment slots (transactional producers) held by this replica.", [
      `dchat_bot_slots ${this.slots}`,
    ]);
    family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [
      `process_resident_memory_bytes ${sample.residentBytes}`,
    ]);
    family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", [
      `process_cpu_seconds_total ${sample.cpuSeconds}`,
    ]);
    family(
      "process_start_time_seconds",
      "gauge",
      "Start time of the process since the Unix epoch in seconds.",
      [`process_start_time_seconds ${sample.startSeconds}`],
    );
    return `${out.join("\n")}\n`;
  }
}

/** Label values escaped as the text format requires (room names are anyone's text). */
function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs)
    .map(
      ([key, value]) => `${key}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
    )
    .join(",");
  return `{${body}}`;
}
