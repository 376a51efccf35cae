/**
 * The bot daemon's Kafka edge: discovers the rooms it serves, runs one consumer-group member
 * over them, and commits every batch's answers together with its offsets (transactions.ts),
 * one transactional producer per assignment slot it owns (slots.ts, takeover.ts).
 *
 * kafkajs cannot change a running consumer's subscription, so the room list is re-read every
 * `rescanMs`; when it changes, the member leaves and rejoins with the new list (a rebalance,
 * which keeps the group's committed offsets). Any failed transaction also ends the membership:
 * the replica rejoins, and the assignment it then gets is taken over afresh.
 */
import type { KafkaSettings } from "../config.ts";
import { UserError } from "../errors.ts";
import { customAssigner } from "../kafka/assigner.ts";
import { rememberCoordinators } from "../kafka/coordinators.ts";
import {
  type Admin,
  type Consumer,
  connectKafka,
  type EachBatchPayload,
  type Kafka,
} from "../kafka/index.ts";
import { topicToRoom } from "../rooms.ts";
import { answerBatch, type Totals } from "./answer-batch.ts";
import type { Logger } from "./log.ts";
import type { BotMetrics } from "./metrics.ts";
import type { MovieDb } from "./movies.ts";
import { type RateLimit, RateLimiter } from "./rate-limit.ts";
import type { TopicFilter } from "./rooms-served.ts";
import { assignSlots, slotOf, transactionalId } from "./slots.ts";
import { type Assignment, type Taken, takeOver } from "./takeover.ts";
import { TransactionPipeline } from "./transactions.ts";

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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runBot(config: BotConfig): Promise<number | UserError> {
  const { log, signal } = config;
  const kafka = connectKafka(
    { ...config.settings, clientId: `${config.settings.clientId}-${config.instance}` },
    {
      retries: 5,
      // kafkajs's own lines (a refused connection at every retry during a broker restart, the
      // partitioner notice) are debugging detail: the bot logs what a failure means and what it
      // does about it as its own events.
      log: ({ source, message, ...fields }) => log("debug", "kafka", { source, message, ...fields }),
    },
  );
  await rememberCoordinators(COORDINATOR_MEMORY_MS);
  const bot = new Bot(kafka, config);
  log("info", "start", { group: config.groupId, instance: config.instance, movies: config.db.size });
  const serving = (async () => {
    let backoff = 1000;
    while (!signal.aborted) {
      try {
        await bot.session();
        backoff = 1000;
      } catch (error) {
        if (signal.aborted) break;
        log("error", "session-failed", { error: errorText(error), retryInMs: backoff });
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    log("info", "stop", { ...bot.stats });
    return 0;
  })();
  const deadline = new Promise<UserError | number>((resolve) => {
    signal.addEventListener("abort", () => {
      setTimeout(() => {
        const pending = bot.pendingAnswers();
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

interface Owned extends Taken {
  generation: number;
}

class Bot {
  readonly stats: Totals = { answered: 0, malformed: 0, rateLimited: 0 };
  readonly #limiter: RateLimiter;
  /** Rooms seen at the first successful listing: read from their end when the group has no offset. */
  #initial: Set<string> | undefined;
  /** Counts assignments; a takeover that is no longer the latest gives up. */
  #generation = 0;
  #owned: Owned | undefined;
  /** Pipelines of a takeover still in progress, so a stop or the next assignment can retire them. */
  #opening = new Map<number, TransactionPipeline>();
  #takeover: Promise<void> = Promise.resolve();
  #answering = 0;
  #failSession: ((error: unknown) => void) | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: BotConfig,
  ) {
    this.#limiter = new RateLimiter(config.rateLimit);
  }

  pendingAnswers(): number {
    const pipelines = new Set([...(this.#owned?.pipelines.values() ?? []), ...this.#opening.values()]);
    return [...pipelines].reduce((sum, pipeline) => sum + pipeline.pendingAnswers, 0);
  }

  async #discover(admin: Admin): Promise<string[]> {
    return (await admin.listTopics()).filter(this.config.filter).sort();
  }

  /** One consumer-group membership over the current room list; returns when the list changes or on stop. */
  async session(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = await this.#discover(admin);
      this.#initial ??= new Set(topics);
      this.config.log("info", "rooms", { rooms: topics.map(topicToRoom) });
      if (topics.length === 0) return await this.#untilChanged(admin, topics);
      const consumer = await this.#consume(admin, topics);
      try {
        await Promise.race([
          this.#untilChanged(admin, topics),
          new Promise<never>((_, reject) => {
            this.#failSession = reject;
          }),
        ]);
      } finally {
        this.#failSession = undefined;
        // The answers read are committed while this replica still owns their slots (a stop, a
        // new room list): nothing more is fetched, what is queued commits, then it leaves.
        consumer.pause(topics.map((topic) => ({ topic })));
        await this.#settled();
        await consumer.disconnect();
        this.#generation++;
        await this.#takeover;
        await this.#settled();
        await this.#giveUp();
      }
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async #untilChanged(admin: Admin, topics: string[]): Promise<void> {
    const current = topics.join("\n");
    while (!this.config.signal.aborted) {
      await sleep(this.config.rescanMs, this.config.signal);
      if (this.config.signal.aborted) return;
      try {
        if ((await this.#discover(admin)).join("\n") !== current) return;
      } catch (error) {
        this.config.log("warn", "rescan-failed", { error: errorText(error) });
      }
    }
  }

  async #consume(admin: Admin, topics: string[]): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      groupId: this.config.groupId,
      readUncommitted: false,
      partitionAssigners: [customAssigner("dchat-bot-slots", assignSlots)],
      // A replica killed with -9 or frozen holds its slots until its session times out.
      sessionTimeout: 10_000,
      rebalanceTimeout: 20_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.config.log(payload.restart ? "warn" : "error", "consumer-crash", {
        error: errorText(payload.error),
        restarting: payload.restart,
      });
      if (!payload.restart) this.#failSession?.(payload.error);
    });
    consumer.on(consumer.events.HEARTBEAT, () => {
      this.config.metrics.heardAt = Date.now();
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      this.#assigned(admin, consumer, payload.memberAssignment),
    );
    try {
      await consumer.connect();
      // Where each partition starts is decided by the takeover, which moves it there.
      await consumer.subscribe({ topics, fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // Every partition's batch of a fetch is in flight at once, so one transaction per slot takes them.
        partitionsConsumedConcurrently: 64,
        eachBatch: (payload) => this.#batch(payload),
      });
    } catch (error) {
      // A room deleted between listing and subscribing, a broker gone: leave nothing connected.
      await consumer.disconnect().catch(() => {});
      throw error;
    }
    return consumer;
  }

  /** kafkajs emits this synchronously before it fetches for the new assignment: pause it all first. */
  #assigned(admin: Admin, consumer: Consumer, assignment: Assignment): void {
    const generation = ++this.#generation;
    this.config.metrics.heardAt = Date.now();
    const partitions = Object.entries(assignment).map(([topic, list]) => ({ topic, partitions: list }));
    if (partitions.length > 0) consumer.pause(partitions);
    this.#takeover = this.#takeover
      .then(async () => {
        await this.#giveUp();
        if (generation !== this.#generation) return;
        const taken = await takeOver(
          assignment,
          {
            admin,
            groupId: this.config.groupId,
            fromStart: (topic) => !this.#initial?.has(topic),
            openPipeline: (slot) => this.#openPipeline(slot),
            current: () => generation === this.#generation,
          },
          this.#opening,
        );
        if (taken === undefined) return;
        this.#owned = { ...taken, generation };
        this.#opening = new Map();
        this.config.metrics.assigned(
          Object.keys(assignment).length,
          taken.positions.length,
          taken.pipelines.size,
        );
        this.config.metrics.holding = true;
        for (const { topic, partition, offset } of taken.positions)
          consumer.seek({ topic, partition, offset });
        if (partitions.length > 0) consumer.resume(partitions);
        this.config.log("info", "assigned", {
          rooms: Object.keys(assignment).map(topicToRoom),
          partitions: taken.positions.length,
          slots: [...taken.pipelines.keys()].sort((a, b) => a - b),
          startPositionsStored: taken.stored,
        });
      })
      .catch((error: unknown) => {
        this.config.log("error", "takeover-failed", { error: errorText(error) });
        this.#failSession?.(error);
      });
  }

  async #settled(): Promise<void> {
    await Promise.all([...(this.#owned?.pipelines.values() ?? [])].map((pipeline) => pipeline.settled()));
  }

  /** Retires the pipelines of the previous assignment (and of a takeover cut short). */
  async #giveUp(): Promise<void> {
    const pipelines = [...(this.#owned?.pipelines.values() ?? []), ...this.#opening.values()];
    this.#owned = undefined;
    this.config.metrics.holding = false;
    this.#opening = new Map();
    await Promise.all(pipelines.map((pipeline) => pipeline.retire()));
  }

  async #openPipeline(slot: number): Promise<TransactionPipeline> {
    const producer = this.kafka.producer({
      transactionalId: transactionalId(this.config.groupId, slot),
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Bounded, unlike kafkajs's default for idempotent producers (retry forever): a send
      // that keeps failing aborts the transaction, and the replica rejoins the group.
      retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 2000 },
    });
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => {});
      throw error;
    }
    const { log, holdTransaction, metrics } = this.config;
    return new TransactionPipeline(producer, this.config.groupId, slot, {
      onCommit: ({ slot, batches, answers, ms }) => {
        metrics.transactions.committed++;
        log("debug", "transaction", { slot, batches, answers, ms: Math.round(ms) });
      },
      onFailure: () => {
        metrics.transactions.failed++;
      },
      beforeCommit: async ({ slot, answers }) => {
        if (holdTransaction === undefined || ++this.#answering !== holdTransaction.nth) return;
        log("info", "transaction-held", { slot, answers, holdMs: holdTransaction.ms });
        await Bun.sleep(holdTransaction.ms);
      },
    });
  }

  async #batch({ batch, resolveOffset, isStale }: EachBatchPayload): Promise<void> {
    // Not (yet, or any more) ours: left unresolved, so it is read again if it becomes ours.
    const pipeline = this.#owned?.pipelines.get(slotOf(batch.topic, batch.partition));
    if (pipeline === undefined || isStale()) return;
    await answerBatch({ batch, resolveOffset }, pipeline, {
      db: this.config.db,
      limiter: this.#limiter,
      log: this.config.log,
      metrics: this.config.metrics,
      totals: this.stats,
      fail: (error) => this.#failSession?.(error),
    });
  }
}
