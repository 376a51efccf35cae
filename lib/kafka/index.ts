/**
 * The Kafka adapter, the only code that imports kafkajs. Commands import from here: a client
 * (client.ts), failures as kinds with their user line (failure.ts), delivery and failover bounds
 * (delivery.ts), topic admin (topics.ts), the record producer (producer.ts), a live topic stream
 * from "the last N" on (room-stream.ts) and a bounded range reader (range-reader.ts).
 */
import type { Kafka } from "kafkajs";
import type { KafkaSettings } from "../config.ts";
import { type ConnectOptions, kafkajsOf, openKafka } from "./client.ts";

export {
  type ConnectOptions,
  type KafkaClient,
  type LogEntry,
  type LogLevel,
  openKafka,
} from "./client.ts";
export { DELIVERY_TIMEOUT_MS, deliveryRetry, outlastFailover } from "./delivery.ts";
export {
  type FailureCode,
  failureMessage,
  failureOf,
  isKafkaFailure,
  KafkaFailure,
  kafkaFailure,
} from "./failure.ts";
export { deliveredWithin, type OutgoingRecord, type RecordProducer, recordProducer } from "./producer.ts";
export { type OffsetRange, type RangeHandlers, type ReadOptions, readRanges } from "./range-reader.ts";
export { followTopic, type StreamHandlers, type StreamRecord, type TopicStream } from "./room-stream.ts";
export { ensureTopic, openAdmin, type TopicAdmin, type Watermarks } from "./topics.ts";

// ---- kafkajs's own client and types, for test, benchmark and scripts/kafka scaffolding the
// adapter has no operation for (explicit partitions, topic configs, group listing by member);
// the bot's own operations are transaction.ts, group.ts and group-admin.ts ----

export type { Kafka, Producer } from "kafkajs";
export { kafkajsOf } from "./client.ts";

/** The kafkajs client of openKafka(settings, options). */
export function connectKafka(settings: KafkaSettings, options: ConnectOptions = {}): Kafka {
  return kafkajsOf(openKafka(settings, options));
}
