/**
 * The chat record producer: idempotent, acks from every in-sync replica, one request in flight
 * (so a retried batch keeps its place), retrying inside one send through a broker failure.
 */
import type { Producer } from "kafkajs";
import { guarded, type KafkaClient, kafkajsOf, lastProducerError } from "./client.ts";
import { deliveryRetry, outlastFailover, within } from "./delivery.ts";

export interface OutgoingRecord {
  key: string;
  value: Buffer;
}

export interface RecordProducer {
  /**
   * Connects, retrying while brokers fail: kafkajs asks the broker the metadata names as
   * controller for the idempotent producer's id and gives up at once when that broker is down; a
   * new connection fetches the metadata again, which names a live broker sooner or later.
   */
  connect(): Promise<void>;
  /** Resolves once the broker acknowledged every record; rejects with a KafkaFailure. */
  send(topic: string, records: OutgoingRecord[]): Promise<void>;
  /** Never rejects; gives up waiting on a request to a failed broker after `waitMs`. */
  close(waitMs?: number): Promise<void>;
}

export function recordProducer(client: KafkaClient): RecordProducer {
  const producer: Producer = kafkajsOf(client).producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
    retry: deliveryRetry,
  });
  return {
    connect: () =>
      guarded(client, () =>
        outlastFailover(
          () => producer.connect(),
          () => producer.disconnect(),
        ),
      ),
    send: (topic, records) =>
      guarded(client, async () => {
        await producer.send({ topic, acks: -1, messages: records });
      }),
    close: (waitMs = Number.POSITIVE_INFINITY) => {
      const disconnected = producer.disconnect().catch(() => {});
      return Number.isFinite(waitMs) ? Promise.race([disconnected, Bun.sleep(waitMs)]) : disconnected;
    },
  };
}

/**
 * `work` (sends, or connecting for them), given up after `ms` with a delivery-timeout failure
 * that names what the producer last retried on.
 */
export function deliveredWithin<T>(client: KafkaClient, work: Promise<T>, ms: number): Promise<T> {
  return within(work, ms, () => lastProducerError(client));
}
