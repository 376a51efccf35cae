/**
 * How long the adapter keeps trying through broker failures: the producer's retries inside one
 * send, the bound on one record's delivery, and the retry of a joining step while a dead broker
 * is still named leader or controller.
 */
import { deliveryTimeout, failureOf } from "./failure.ts";

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

/**
 * Runs `send` but gives up after `ms` with a delivery-timeout failure naming the last retried
 * failure (`lastError` reads it from the client's log; see producerErrors).
 */
export async function within<T>(
  send: Promise<T>,
  ms: number,
  lastError: () => string | undefined,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(deliveryTimeout(ms, lastError())), ms);
  });
  try {
    return await Promise.race([send, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How long the steps of joining keep trying while brokers fail: a dead broker stays in the
 * metadata, named leader or controller, until the controller fences it
 * (broker.session.timeout.ms, 9 s by default).
 */
const FAILOVER_WAIT_MS = 15_000;

/**
 * Runs `attempt` again while it fails with a retriable failure, for up to FAILOVER_WAIT_MS;
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
      if (failureOf(error)?.retriable !== true || Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      await between().catch(() => {});
    }
  }
}
