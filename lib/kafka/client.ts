/**
 * A connection to a Kafka cluster as the commands hold it: the settings it was made from and,
 * hidden behind it, the kafkajs client the adapter's operations (lib/kafka/*) work with. Nothing
 * outside lib/kafka/ sees kafkajs: commands pass the client to the operations and get
 * KafkaFailures back.
 */
import { Kafka, type KafkaConfig, type LogEntry as KafkaLogEntry, logLevel, type SASLOptions } from "kafkajs";
import type { KafkaSettings } from "../config.ts";
import { failureOf } from "./failure.ts";
import { decodeFetchedRecordsFast } from "./fetch-records.ts";
import { quietNegativeTimeouts } from "./quiet-timers.ts";
import { useSmallLongs } from "./small-long.ts";
import { endFetchersAfterStop } from "./stopped-fetch.ts";

export type LogLevel = "error" | "warn" | "info" | "debug";

export interface LogEntry {
  level: LogLevel;
  /** Which part of the client spoke, e.g. "kafkajs.Connection". */
  source: string;
  message: string;
  [field: string]: unknown;
}

export interface ConnectOptions {
  /** Receives the client's log lines; without it they are dropped. */
  log?: (entry: LogEntry) => void;
  /**
   * How often to retry a failing request or connection. One-shot commands keep it small so an
   * unreachable broker fails within ~10 s; daemons raise it and add their own reconnect loop.
   */
  retries?: number;
}

export interface KafkaClient {
  readonly settings: KafkaSettings;
}

interface Native {
  kafka: Kafka;
  /** What the producers last retried a send on, for a delivery timeout's line. */
  lastProducerError?: string;
}

const clients = new WeakMap<KafkaClient, Native>();

const levels: Record<number, LogLevel | undefined> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** A client for the cluster of `settings`; it connects lazily, in the operations that use it. */
export function openKafka(settings: KafkaSettings, options: ConnectOptions = {}): KafkaClient {
  quietNegativeTimeouts();
  useSmallLongs();
  decodeFetchedRecordsFast();
  endFetchersAfterStop();
  const { log } = options;
  const native = {} as Native;
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: options.retries ?? 3, initialRetryTime: 300, maxRetryTime: 3000 },
    logLevel: log ? logLevel.INFO : logLevel.ERROR,
    logCreator: () => (entry: KafkaLogEntry) => {
      const { message, timestamp: _t, logger: _l, ...fields } = entry.log;
      if (entry.level === logLevel.ERROR && entry.namespace.endsWith("Producer"))
        native.lastProducerError = message.replace(/^Failed to send messages: /, "");
      if (!log) return;
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
  const client: KafkaClient = Object.freeze({ settings });
  native.kafka = new Kafka(config);
  clients.set(client, native);
  return client;
}

/** The kafkajs client behind `client`: for the adapter's own modules under lib/kafka/ only. */
export function kafkajsOf(client: KafkaClient): Kafka {
  return nativeOf(client).kafka;
}

/** The failure a producer of `client` last retried a send on (its log says; kafkajs's error may not). */
export function lastProducerError(client: KafkaClient): string | undefined {
  return nativeOf(client).lastProducerError;
}

function nativeOf(client: KafkaClient): Native {
  const native = clients.get(client);
  if (native === undefined) throw new Error("not a client made by openKafka");
  return native;
}

/**
 * Runs a kafkajs call and rejects with its KafkaFailure instead of kafkajs's error; anything else
 * it throws (a bug) passes unchanged.
 */
export async function guarded<T>(client: KafkaClient, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw failureOf(error, { tls: client.settings.ssl !== false }) ?? error;
  }
}
