/**
 * The bot daemon's Kafka edge: discovers the rooms it serves, runs one consumer-group member
 * over them, and commits every batch's answers together with its offsets (transactions.ts).
 *
 * kafkajs cannot change a running consumer's subscription, so the room list is re-read every
 * `rescanMs`; when it changes, the member leaves and rejoins with the new list (a rebalance,
 * which keeps the group's committed offsets). Rooms present at the first start are read from
 * their end; a room first seen while the bot runs is read from its beginning, so a question
 * asked before the bot noticed the room still gets its answer. Each assigned partition that
 * has no committed offset gets one right away, so a restart never skips what was said while
 * the bot was down.
 */
import type { KafkaSettings } from "../config.ts";
import { UserError } from "../errors.ts";
import { type Admin, type Consumer, connectKafka, type EachBatchPayload, type Kafka } from "../kafka.ts";
import { topicToRoom } from "../rooms.ts";
import { BOT_SENDER, encode, textRecord } from "../wire.ts";
import type { Logger } from "./log.ts";
import type { MovieDb } from "./movies.ts";
import { type RateLimit, RateLimiter } from "./rate-limit.ts";
import { respond } from "./respond.ts";
import type { TopicFilter } from "./rooms-served.ts";
import { type Answer, isFenced, partitionKey, TransactionPipeline } from "./transactions.ts";

export interface BotConfig {
  settings: KafkaSettings;
  groupId: string;
  /** Stable name of this replica: its transactional id, so a restarted replica fences its old self. */
  instance: string;
  filter: TopicFilter;
  db: MovieDb;
  rateLimit: RateLimit;
  rescanMs: number;
  log: Logger;
  /** Aborted on SIGTERM/SIGINT: finish the batch in flight, commit, leave the group. */
  signal: AbortSignal;
}

export const REPLY_TO_HEADER = "dchat-reply-to";
const MAX_BACKOFF_MS = 15_000;

interface Stats {
  answered: number;
  malformed: number;
  rateLimited: number;
}

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
  const kafka = connectKafka(config.settings, {
    retries: 5,
    // kafkajs's own lines (a refused connection at every retry during a broker restart, the
    // partitioner notice) are debugging detail: the bot logs what a failure means and what it
    // does about it as its own events.
    log: ({ source, message, ...fields }) => log("debug", "kafka", { source, message, ...fields }),
  });
  const bot = new Bot(kafka, config);
  log("info", "start", { group: config.groupId, instance: config.instance, movies: config.db.size });
  let backoff = 1000;
  while (!signal.aborted && bot.fatal === undefined) {
    try {
      await bot.session();
      backoff = 1000;
    } catch (error) {
      if (signal.aborted || bot.fatal !== undefined) break;
      log("error", "session-failed", { error: errorText(error), retryInMs: backoff });
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
  await bot.pipeline.close();
  log("info", "stop", { ...bot.stats });
  return bot.fatal ?? 0;
}

class Bot {
  readonly stats: Stats = { answered: 0, malformed: 0, rateLimited: 0 };
  readonly pipeline: TransactionPipeline;
  readonly #limiter: RateLimiter;
  /** Rooms seen at the first successful listing: read from their end when the group has no offset. */
  #initial: Set<string> | undefined;
  fatal: UserError | undefined;
  /**
   * Set when a transaction failed: its outcome may be unknown (a commit that timed out can
   * still have succeeded), so the consumer's own position is no longer trusted. Nothing is
   * committed until a new session has re-read the group's committed offsets.
   */
  #rebuilding = false;
  #failSession: ((error: unknown) => void) | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: BotConfig,
  ) {
    this.#limiter = new RateLimiter(config.rateLimit);
    this.pipeline = new TransactionPipeline(
      async () => {
        const producer = kafka.producer({
          transactionalId: `dchat-bot.${config.groupId}.${config.instance}`,
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          // Bounded, unlike kafkajs's default for idempotent producers (retry forever): a send
          // that keeps failing aborts the transaction, and the batch is redone with a new producer.
          retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 2000 },
        });
        try {
          await producer.connect();
        } catch (error) {
          await producer.disconnect().catch(() => {});
          throw error;
        }
        return producer;
      },
      config.groupId,
      (batches, answers, ms) => config.log("debug", "transaction", { batches, answers, ms: Math.round(ms) }),
    );
  }

  async #discover(admin: Admin): Promise<string[]> {
    return (await admin.listTopics()).filter(this.config.filter).sort();
  }

  /** One consumer-group membership over the current room list; returns when the list changes or on stop. */
  async session(): Promise<void> {
    // Before the group hands out committed offsets, the outcome of any transaction left open by
    // a failure or a crash must be settled; see TransactionPipeline.ready.
    await this.pipeline.ready();
    this.#rebuilding = false;
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
        await consumer.disconnect();
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
      // A replica killed with -9 holds its partitions until its session times out.
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
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.#storeStartPositions(admin, consumer, payload.memberAssignment).catch((error: unknown) =>
        this.config.log("warn", "start-positions-failed", { error: errorText(error) }),
      );
    });
    try {
      await consumer.connect();
      const late = topics.filter((topic) => !this.#initial?.has(topic));
      const early = topics.filter((topic) => this.#initial?.has(topic));
      if (early.length > 0) await consumer.subscribe({ topics: early, fromBeginning: false });
      if (late.length > 0) await consumer.subscribe({ topics: late, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // Every partition's batch of a fetch is in flight at once, so one transaction takes them all.
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

  /** Commits where each newly assigned partition without an offset starts (see the module comment). */
  async #storeStartPositions(
    admin: Admin,
    consumer: Consumer,
    assignment: Record<string, number[]>,
  ): Promise<void> {
    const topics = Object.keys(assignment);
    await this.pipeline.exclusive(async (committedHere) => {
      const stored = await admin.fetchOffsets({ groupId: this.config.groupId, topics });
      const missing = stored.flatMap(({ topic, partitions }) =>
        partitions
          .filter(({ partition, offset }) => offset === "-1" && assignment[topic]?.includes(partition))
          .filter(({ partition }) => !committedHere.has(partitionKey(topic, partition)))
          .map(({ partition }) => ({ topic, partition })),
      );
      const positions = [];
      for (const topic of new Set(missing.map((m) => m.topic))) {
        const fromStart = !this.#initial?.has(topic);
        const ends = await admin.fetchTopicOffsets(topic);
        for (const { partition, high, low } of ends) {
          if (missing.some((m) => m.topic === topic && m.partition === partition)) {
            positions.push({ topic, partition, offset: fromStart ? low : high });
          }
        }
      }
      if (positions.length > 0) await consumer.commitOffsets(positions);
    });
    this.config.log("info", "assigned", {
      rooms: topics.map(topicToRoom),
      partitions: Object.values(assignment).reduce((sum, list) => sum + list.length, 0),
      startPositionsStored: true,
    });
  }

  async #batch({ batch, resolveOffset, isStale }: EachBatchPayload): Promise<void> {
    const last = batch.messages.at(-1);
    if (last === undefined) return;
    if (this.#rebuilding) throw new Error("a transaction failed; waiting for the consumer to restart");
    const { topic, partition } = batch;
    const room = topicToRoom(topic);
    const answers: Answer[] = [];
    const asked: { offset: string; sender: string; text: string; timestampMs: number }[] = [];
    for (const message of batch.messages) {
      const timestampMs = Number(message.timestamp);
      const outcome = respond(message.value, timestampMs, {
        db: this.config.db,
        limiter: this.#limiter,
        room,
        nowMs: Date.now(),
        record: `${topic}/${partition}/${message.offset}`,
      });
      if (outcome.kind === "malformed") {
        this.stats.malformed++;
        this.config.log("warn", "malformed", {
          room,
          partition,
          offset: message.offset,
          problem: outcome.problem,
          detail: outcome.detail,
          malformedTotal: this.stats.malformed,
        });
      } else if (outcome.kind === "limited") {
        this.stats.rateLimited++;
        this.config.log("info", "rate-limited", { room, sender: outcome.sender, offset: message.offset });
      } else if (outcome.kind === "reply") {
        answers.push({
          topic,
          partition,
          value: encode(textRecord(BOT_SENDER, outcome.text, new Date())),
          headers: { [REPLY_TO_HEADER]: `${topic}/${partition}/${message.offset}` },
        });
        asked.push({ offset: message.offset, sender: outcome.sender, text: outcome.text, timestampMs });
      }
    }
    if (isStale()) return;
    try {
      await this.pipeline.commit(answers, { topic, partition, offset: String(BigInt(last.offset) + 1n) });
    } catch (error) {
      if (isFenced(error)) {
        this.fatal = new UserError(
          `instance "${this.config.instance}" was fenced by another bot using the same --instance in group ${this.config.groupId}; give each replica its own --instance`,
        );
      }
      this.#rebuilding = true;
      this.#failSession?.(error);
      throw error;
    }
    resolveOffset(last.offset);
    const now = Date.now();
    this.stats.answered += asked.length;
    for (const answer of asked) {
      this.config.log("info", "answer", {
        room,
        partition,
        offset: answer.offset,
        sender: answer.sender,
        latencyMs: now - answer.timestampMs,
        reply: answer.text,
      });
    }
  }
}
