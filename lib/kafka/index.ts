/**
 * The only module that imports kafkajs. It builds clients from KafkaSettings, routes kafkajs's
 * own logging into our structured log (never raw onto the terminal), and turns the failures a
 * user can cause (broker down, bad credentials, TLS trouble) into one-line UserErrors.
 */
import {
  CompressionTypes,
  Kafka,
  type KafkaConfig,
  type LogEntry as KafkaLogEntry,
  logLevel,
  type Producer,
  type SASLOptions,
} from "kafkajs";
import type { KafkaSettings } from "../config.ts";
import { UserError } from "../errors.ts";

export type {
  Admin,
  Consumer,
  ConsumerConfig,
  EachBatchPayload,
  EachMessagePayload,
  Kafka,
  KafkaMessage,
  Message,
  PartitionAssigner,
  Producer,
  ProducerConfig,
  RecordMetadata,
  Transaction,
} from "kafkajs";
export { CompressionTypes };

// kafkajs schedules its request-throttle check with a negative delay on every response
// (throttledUntil starts at -1), and Bun prints a TimeoutNegativeWarning for it onto stderr —
// across a chat screen. A negative delay means "as soon as possible", which 0 says without noise.
const nativeSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = Object.assign(
  (handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) =>
    nativeSetTimeout(handler, typeof delay === "number" && delay < 0 ? 0 : delay, ...args),
  nativeSetTimeout,
) as typeof setTimeout;

export type LogLevel = "error" | "warn" | "info" | "debug";

export interface LogEntry {
  level: LogLevel;
  /** Which part of the client spoke, e.g. "kafkajs.Connection". */
  source: string;
  message: string;
  [field: string]: unknown;
}

export interface ConnectOptions {
  /** Receives kafkajs's log lines; without it they are dropped. */
  log?: (entry: LogEntry) => void;
  /**
   * How often to retry a failing request or connection. One-shot commands keep it small so an
   * unreachable broker fails within ~10 s; daemons raise it and add their own reconnect loop.
   */
  retries?: number;
}

/**
 * How long a producer keeps one send() alive through a broker failure: a killed leader's
 * partitions have no usable leader until the controller fences it (broker.session.timeout.ms,
 * 9 s by default) and elects a new one. Retrying inside one send() keeps the idempotent
 * producer's sequence numbers, so a retried batch the broker already has is not written twice.
 * The delays (0.3, 0.6, 1.2, 2.4, then 3 s) add up to about 30 s, Kafka's own request timeout.
 */
export const deliveryRetry = { retries: 12, initialRetryTime: 300, maxRetryTime: 3000 };

/**
 * The longest one record may wait for its acknowledgement, retries included (Kafka's Java
 * producer has delivery.timeout.ms): kafkajs bounds only the number of retries, and with a
 * cluster below min.insync.replicas every retry can wait out a whole request timeout.
 */
export const DELIVERY_TIMEOUT_MS = 40_000;

/** A send that was not acknowledged in time; `lastError` is what kafkajs last retried on. */
export class DeliveryTimeout {
  readonly name = "DeliveryTimeout";
  constructor(
    readonly ms: number,
    readonly lastError: string | undefined,
  ) {}
}

/**
 * Runs `send` but gives up after `ms` with a DeliveryTimeout naming the last retried failure
 * (`lastError` reads it from the client's log; see producerErrors).
 */
export async function within<T>(
  send: Promise<T>,
  ms: number,
  lastError: () => string | undefined,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeliveryTimeout(ms, lastError())), ms);
  });
  try {
    return await Promise.race([send, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A log hook that remembers the last failure kafkajs retried a produce on. */
export function producerErrors(): { log: (entry: LogEntry) => void; last: () => string | undefined } {
  let last: string | undefined;
  return {
    log: (entry) => {
      if (entry.level === "error" && entry.source.endsWith("Producer"))
        last = entry.message.replace(/^Failed to send messages: /, "");
    },
    last: () => last,
  };
}

const levels: Record<number, LogLevel | undefined> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

export function connectKafka(settings: KafkaSettings, options: ConnectOptions = {}): Kafka {
  const { log } = options;
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: options.retries ?? 3, initialRetryTime: 300, maxRetryTime: 3000 },
    logLevel: log ? logLevel.INFO : logLevel.NOTHING,
    logCreator: () => (entry: KafkaLogEntry) => {
      if (!log) return;
      const { message, timestamp: _t, logger: _l, ...fields } = entry.log;
      log({
        ...fields,
        level: levels[entry.level] ?? "info",
        source: entry.namespace ? `kafkajs.${entry.namespace}` : "kafkajs",
        message,
      });
    },
  };
  if (settings.ssl) config.ssl = settings.ssl.ca ? { ca: settings.ssl.ca } : true;
  if (settings.sasl) config.sasl = settings.sasl as SASLOptions;
  return new Kafka(config);
}

interface KafkaJsError {
  name?: string;
  message?: string;
  code?: string;
  /** The protocol error's name (NOT_ENOUGH_REPLICAS, …) on KafkaJSProtocolError. */
  type?: string;
  /** "host:port" on KafkaJSConnectionError. */
  broker?: string;
  retriable?: boolean;
  originalError?: unknown;
  cause?: unknown;
}

/** The chain of causes kafkajs wraps around the real reason (retries exceeded → connection error → ECONNREFUSED). */
function causes(error: unknown): KafkaJsError[] {
  const chain: KafkaJsError[] = [];
  let current = error as KafkaJsError | undefined;
  while (current && typeof current === "object" && chain.length < 10) {
    chain.push(current);
    current = (current.originalError ?? current.cause) as KafkaJsError | undefined;
  }
  return chain;
}

/** Failures kafkajs raises (all named KafkaJS…); anything else escaping a Kafka call is a bug of ours. */
export function isKafkaError(error: unknown): boolean {
  return (
    error instanceof DeliveryTimeout || /^KafkaJS/.test((error as { name?: string } | undefined)?.name ?? "")
  );
}

/**
 * A kafkajs failure as the one line a user needs: what went wrong, against which brokers, and
 * what to do. Unrecognised failures still become one line; nothing here prints a stack.
 */
export function kafkaFailure(error: unknown, settings: KafkaSettings): UserError {
  const chain = causes(error);
  const where = settings.brokers.join(",");
  if (error instanceof DeliveryTimeout)
    return new UserError(
      `Kafka at ${where} did not acknowledge the record within ${error.ms / 1000} s` +
        (error.lastError ? ` (last error: ${error.lastError.split("\n")[0]})` : "") +
        ": too few brokers up for min.insync.replicas, or no leader elected; it may or may not be stored",
    );
  const has = (test: (e: KafkaJsError) => boolean) => chain.some(test);
  const text = chain
    .map((e) => `${e.name ?? ""} ${e.code ?? ""} ${e.type ?? ""} ${e.message ?? ""}`)
    .join(" ");

  if (has((e) => e.name === "KafkaJSSASLAuthenticationError") || /SASL_AUTHENTICATION_FAILED/.test(text)) {
    return new UserError(
      `Kafka at ${where} rejected the SASL credentials: check DCHAT_SASL_USERNAME/DCHAT_SASL_PASSWORD and --sasl-mechanism`,
    );
  }
  if (/certificate|self[- ]signed|SSL|TLS|EPROTO|wrong version number/i.test(text)) {
    return new UserError(
      `TLS handshake with Kafka at ${where} failed (${firstMessage(chain)}): check --ssl and --ssl-ca`,
    );
  }
  if (/AUTHORIZATION_FAILED/.test(text)) {
    return new UserError(`Kafka at ${where} refused this operation (not authorized): ${firstMessage(chain)}`);
  }
  // The cluster answered, but a broker failure left it unable to serve: say which failure.
  const protocol = chain.find((e) => e.type !== undefined && clusterTrouble[e.type] !== undefined);
  if (protocol?.type) return new UserError(`Kafka at ${where}: ${clusterTrouble[protocol.type]}`);
  if (
    has((e) =>
      /KafkaJS(Connection|ConnectionClosed|BrokerNotFound|NumberOfRetriesExceeded|RequestTimeout)Error/.test(
        e.name ?? "",
      ),
    ) ||
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|Connection timeout/i.test(text)
  ) {
    // One broker of several is named: the others may well be up, so say which one failed.
    const broker = chain.find((e) => e.broker)?.broker;
    if (broker && settings.brokers.length > 1)
      return new UserError(
        `Kafka broker ${broker} is unreachable (${reason(text)}) and the cluster at ${where} did not work around it in time: are its brokers running?`,
      );
    return new UserError(
      `cannot reach Kafka at ${where} (${reason(text)}): is the broker running? Set --brokers or DCHAT_BROKERS`,
    );
  }
  return new UserError(`Kafka at ${where} failed: ${firstMessage(chain)}`);
}

/** Protocol errors that mean "brokers are down or electing", as the user should read them. */
const clusterTrouble: Record<string, string> = {
  NOT_ENOUGH_REPLICAS:
    "too few in-sync replicas to accept the write (fewer brokers up than min.insync.replicas); nothing was written",
  NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    "too few in-sync replicas acknowledged the write (fewer brokers up than min.insync.replicas); it may or may not be stored",
  LEADER_NOT_AVAILABLE: "the partition has no leader (brokers are down or electing one)",
  NOT_LEADER_FOR_PARTITION: "the partition's leader moved and no new leader answered in time",
  COORDINATOR_NOT_AVAILABLE: "no group coordinator is available (brokers are down or starting)",
  COORDINATOR_LOAD_IN_PROGRESS: "the group coordinator is still loading (the cluster has just started)",
  NOT_COORDINATOR: "the group coordinator moved and no new one answered in time",
  REQUEST_TIMED_OUT: "the broker timed out replicating the write (a replica is slow or down)",
};

function reason(text: string): string {
  if (/ECONNREFUSED/.test(text)) return "connection refused";
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return "host not found";
  if (/ETIMEDOUT|timeout/i.test(text)) return "timed out";
  if (/EHOSTUNREACH/.test(text)) return "host unreachable";
  return "no connection";
}

function firstMessage(chain: KafkaJsError[]): string {
  const deepest = [...chain].reverse().find((e) => e.message);
  return (deepest?.message ?? "unknown error").split("\n")[0] ?? "unknown error";
}

/** kafkajs marks the failures worth retrying; the deepest cause decides (a wrapper may not say). */
function isRetriable(error: unknown): boolean {
  const deepest = causes(error).at(-1);
  return deepest?.retriable === true || deepest?.name === "KafkaJSConnectionError";
}

/**
 * How long the steps of joining keep trying while brokers fail: a dead broker stays in the
 * metadata, named leader or controller, until the controller fences it
 * (broker.session.timeout.ms, 9 s by default).
 */
const FAILOVER_WAIT_MS = 15_000;

/**
 * Runs `attempt` again while it fails with a retriable error, for up to FAILOVER_WAIT_MS;
 * `between` runs before each retry (a reconnect, a metadata refresh).
 */
export async function outlastFailover<T>(
  attempt: () => Promise<T>,
  between: () => Promise<unknown> = async () => {},
): Promise<T> {
  const deadline = Date.now() + FAILOVER_WAIT_MS;
  for (let delay = 300; ; delay = Math.min(delay * 2, 3000)) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetriable(error) || Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      await between().catch(() => {});
    }
  }
}

/**
 * Connects a producer, retrying while brokers fail. kafkajs asks the broker the metadata names as
 * controller for the idempotent producer's id and gives up at once when that broker is down; a
 * new connection fetches the metadata again, which names a live broker sooner or later.
 */
export function connectProducer(producer: Producer): Promise<void> {
  return outlastFailover(
    () => producer.connect(),
    () => producer.disconnect(),
  );
}

/**
 * Creates the topic when missing; an existing topic is left as it is (its partition count
 * included). It asks for the topic list first, which any live broker answers: kafkajs's
 * createTopics gives up at once when the broker it takes for the controller is down.
 */
export async function ensureTopic(kafka: Kafka, topic: string, partitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await outlastFailover(async () => {
      try {
        if ((await admin.listTopics()).includes(topic)) return;
        await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
      } catch (error) {
        // Another client may create it between our metadata check and our request.
        if (!causes(error).some((e) => e.type === "TOPIC_ALREADY_EXISTS")) throw error;
      }
    });
  } finally {
    await admin.disconnect();
  }
}
