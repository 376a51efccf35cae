/**
 * The daemon's JSON-lines log: one object per line with `time`, `level` and `event`, written
 * to one stream. Levels below the configured one are dropped before anything is built.
 */
import { isKafkaFailure } from "../kafka/index.ts";

export type Level = "debug" | "info" | "warn" | "error";

const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Logger = (level: Level, event: string, fields?: Record<string, unknown>) => void;

export function isLevel(text: string): text is Level {
  return text in RANK;
}

export function jsonLogger(
  write: (line: string) => void,
  minimum: Level,
  clock: () => Date = () => new Date(),
): Logger {
  return (level, event, fields = {}) => {
    if (RANK[level] < RANK[minimum]) return;
    write(`${JSON.stringify({ time: clock().toISOString(), level, event, ...fields })}\n`);
  };
}

/** What failed, for a log field: a Kafka failure's detail, an error's message. */
export function errorText(error: unknown): string {
  if (isKafkaFailure(error)) return error.detail;
  return error instanceof Error ? error.message : String(error);
}
