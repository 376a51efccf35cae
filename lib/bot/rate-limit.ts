/**
 * Per-sender token buckets, so one user cannot flood a room through the bot. Each sender
 * (per room) may ask `burst` questions at once and then one every `intervalMs`. The first
 * question over the limit gets a single notice; further ones are dropped silently until a
 * token is back, so the notice itself cannot become a flood. The clock is passed in.
 */

export type Verdict = "answer" | "notify" | "drop";

export interface RateLimit {
  burst: number;
  intervalMs: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  notified: boolean;
}

/** Buckets that have refilled completely carry no information; pruned past this many senders. */
const PRUNE_AT = 10_000;
/** Verdicts remembered for redone batches: far more than one batch holds. */
const REMEMBERED_VERDICTS = 50_000;

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  /** Recent verdicts by record, oldest first (a Map keeps insertion order). */
  readonly #verdicts = new Map<string, Verdict>();

  constructor(readonly limit: RateLimit) {}

  /**
   * The verdict for one question. `record` names it (topic/partition/offset): a batch whose
   * transaction failed is read and judged again, and must get the same verdicts, not spend the
   * sender's tokens twice.
   */
  check(room: string, sender: string, nowMs: number, record?: string): Verdict {
    if (this.limit.burst <= 0) return "answer";
    const known = record === undefined ? undefined : this.#verdicts.get(record);
    if (known !== undefined) return known;
    const verdict = this.#decide(room, sender, nowMs);
    if (record !== undefined) {
      this.#verdicts.set(record, verdict);
      if (this.#verdicts.size > REMEMBERED_VERDICTS) {
        const oldest = this.#verdicts.keys().next().value;
        if (oldest !== undefined) this.#verdicts.delete(oldest);
      }
    }
    return verdict;
  }

  #decide(room: string, sender: string, nowMs: number): Verdict {
    const key = `${room}\u0000${sender}`;
    const bucket = this.#buckets.get(key) ?? { tokens: this.limit.burst, updatedMs: nowMs, notified: false };
    this.#refill(bucket, nowMs);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > PRUNE_AT) this.#prune(nowMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.notified = false;
      return "answer";
    }
    if (bucket.notified) return "drop";
    bucket.notified = true;
    return "notify";
  }

  #refill(bucket: Bucket, nowMs: number): void {
    const elapsed = Math.max(0, nowMs - bucket.updatedMs);
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsed / this.limit.intervalMs);
    bucket.updatedMs = Math.max(bucket.updatedMs, nowMs);
  }

  #prune(nowMs: number): void {
    for (const [key, bucket] of this.#buckets) {
      this.#refill(bucket, nowMs);
      if (bucket.tokens >= this.limit.burst) this.#buckets.delete(key);
    }
  }
}

/** Parses `--rate-limit` values like `5/10s` (5 questions, then one per 2 s) or `off`. */
export function parseRateLimit(text: string): RateLimit | undefined {
  if (text === "off") return { burst: 0, intervalMs: 1 };
  const match = /^(\d+)\/(\d+)(ms|s|m)$/.exec(text.trim());
  if (match === null) return undefined;
  const count = Number(match[1]);
  const unit = match[3] === "ms" ? 1 : match[3] === "s" ? 1000 : 60_000;
  const windowMs = Number(match[2]) * unit;
  if (count < 1 || windowMs < 1) return undefined;
  return { burst: count, intervalMs: windowMs / count };
}

export const RATE_LIMIT_NOTICE = "질문이 너무 많습니다. 잠시 후 다시 물어봐 주세요.";
