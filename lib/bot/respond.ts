/**
 * What the bot does with one record of a room, decided without any I/O: ignore it (bots,
 * join/leave notices, chatter, malformed bytes), answer it, or tell a flooding sender to slow
 * down. The Kafka loop in run.ts only carries these decisions out.
 */

import { safeText } from "../safe-text.ts";
import { BOT_SENDER, decode, INFO_SENDER } from "../wire.ts";
import type { MovieDb } from "./movies.ts";
import { parseQuestion } from "./query.ts";
import { RATE_LIMIT_NOTICE, type RateLimiter } from "./rate-limit.ts";
import { replyTo } from "./reply.ts";

const NAME_ECHO_LIMIT = 40;

export type Outcome =
  | { kind: "reply"; text: string; sender: string }
  | { kind: "ignore"; reason: "bot" | "leave" | "chatter" }
  /** Over the sender's rate limit, already notified: dropped without a reply. */
  | { kind: "limited"; sender: string }
  | { kind: "malformed"; problem: string; detail: string };

export interface RespondContext {
  db: MovieDb;
  limiter: RateLimiter;
  room: string;
  nowMs: number;
  /** Where the record is (topic/partition/offset), so a redone batch gets the same verdicts. */
  record?: string;
}

/**
 * `[bot]`, `[INFO]` and every other bracketed sender are system voices (our own answers, other
 * bots, announcements); answering them could start two bots talking to each other forever.
 */
function isSystemSender(sender: string): boolean {
  return sender === BOT_SENDER || sender === INFO_SENDER || /^\[.*\]$/su.test(sender.trim());
}

export function respond(
  value: Uint8Array | null,
  kafkaTimestampMs: number,
  context: RespondContext,
): Outcome {
  const decoded = decode(value, kafkaTimestampMs);
  if (!decoded.ok) return { kind: "malformed", problem: decoded.problem, detail: decoded.detail };
  const { sender, message, end } = decoded.record;
  if (isSystemSender(sender)) return { kind: "ignore", reason: "bot" };
  if (end) return { kind: "ignore", reason: "leave" };
  const question = parseQuestion(message);
  if (question === undefined) return { kind: "ignore", reason: "chatter" };
  const verdict = context.limiter.check(context.room, sender, context.nowMs, context.record);
  if (verdict === "drop") return { kind: "limited", sender };
  if (verdict === "notify") {
    const name = [...safeText(sender)].slice(0, NAME_ECHO_LIMIT).join("");
    return { kind: "reply", sender, text: `${name}님, ${RATE_LIMIT_NOTICE}` };
  }
  return { kind: "reply", sender, text: replyTo(question, context.db) };
}
