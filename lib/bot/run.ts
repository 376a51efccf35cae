/**
 * The bot daemon: connects, serves the rooms one consumer-group membership at a time
 * (membership.ts) and rejoins with a growing pause after a failure, until it is stopped; a stop
 * that outlasts its deadline with answers still uncommitted is an error that names them.
 */
import type { KafkaSettings } from "../config.ts";
import { UserError } from "../errors.ts";
import { rememberCoordinators } from "../kafka/coordinators.ts";
import { openKafka } from "../kafka/index.ts";
import { openTransactional } from "../kafka/transaction.ts";
import { BatchReport } from "./batch-report.ts";
import { errorText, type Logger } from "./log.ts";
import { Membership } from "./membership.ts";
import type { BotMetrics } from "./metrics.ts";
import type { MovieDb } from "./movies.ts";
import { SlotOwnership } from "./ownership.ts";
import { pause } from "./pause.ts";
import { type RateLimit, RateLimiter } from "./rate-limit.ts";
import type { TopicFilter } from "./rooms-served.ts";

export interface BotConfig {
  settings: KafkaSettings;
  groupId: string;
  /** This replica's name in its log and client id. */
  instance: string;
  filter: TopicFilter;
  db: MovieDb;
  rateLimit: RateLimit;
  rescanMs: number;
  log: Logger;
  /** Aborted on SIGTERM/SIGINT: finish the batches in flight, commit, leave the group. */
  signal: AbortSignal;
  /** How long a stop may take once `signal` is aborted. */
  stopDeadlineMs: number;
  /** Updated as the bot works; served by `--metrics`. */
  metrics: BotMetrics;
  /** Test-only: hold the `nth` transaction that carries answers open for `ms` before it commits. */
  holdTransaction?: { nth: number; ms: number };
}

export { REPLY_TO_HEADER } from "./read-batch.ts";

const MAX_BACKOFF_MS = 15_000;
/** How long a coordinator lookup is trusted: it saves four round trips in every transaction. */
const COORDINATOR_MEMORY_MS = 1000;

export async function runBot(config: BotConfig): Promise<number | UserError> {
  const { log, signal, metrics } = config;
  const client = openKafka(
    { ...config.settings, clientId: `${config.settings.clientId}-${config.instance}` },
    {
      retries: 5,
      // The client's own lines (a refused connection at every retry during a broker restart, the
      // partitioner notice) are debugging detail: the bot logs what a failure means and what it
      // does about it as its own events.
      log: ({ source, message, ...fields }) => log("debug", "kafka", { source, message, ...fields }),
    },
  );
  await rememberCoordinators(COORDINATOR_MEMORY_MS);
  const ownership = new SlotOwnership({
    groupId: config.groupId,
    log,
    metrics,
    openWriter: (id) => openTransactional(client, id),
    holdTransaction: config.holdTransaction,
  });
  const report = new BatchReport(log, metrics);
  const membership = new Membership(client, {
    groupId: config.groupId,
    filter: config.filter,
    rescanMs: config.rescanMs,
    log,
    metrics,
    signal,
    ownership,
    answering: { db: config.db, limiter: new RateLimiter(config.rateLimit), report },
  });
  log("info", "start", { group: config.groupId, instance: config.instance, movies: config.db.size });
  const serving = (async () => {
    let backoff = 1000;
    while (!signal.aborted) {
      const takeovers = ownership.takeovers;
      try {
        await membership.serve();
        backoff = 1000;
      } catch (error) {
        if (signal.aborted) break;
        // Only failures in a row back off further: one that ends a membership which served is retried soon.
        if (ownership.takeovers > takeovers) backoff = 1000;
        log("error", "session-failed", { error: errorText(error), retryInMs: backoff });
        await pause(backoff, signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    log("info", "stop", { ...report.totals });
    return 0;
  })();
  const deadline = new Promise<UserError | number>((resolve) => {
    signal.addEventListener("abort", () => {
      setTimeout(() => {
        const pending = ownership.pendingAnswers();
        log("warn", "stop-deadline", { afterMs: config.stopDeadlineMs, uncommittedAnswers: pending });
        resolve(
          pending === 0
            ? 0
            : new UserError(
                `stopped after ${config.stopDeadlineMs} ms with ${pending} answers not committed; their questions are answered at the next start`,
              ),
        );
      }, config.stopDeadlineMs).unref();
    });
  });
  return Promise.race([serving, deadline]);
}
