/**
 * Failure kinds from kafkajs's own error classes, shaped as kafkajs raises them (a retried
 * request wraps its last error; a refused connection carries the socket's code).
 */
import { describe, expect, test } from "bun:test";
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} from "kafkajs";
import type { KafkaSettings } from "../config.ts";
import { deliveryTimeout, failureMessage, failureOf, kafkaFailure } from "./failure.ts";

// kafkajs's typings give this class no constructor arguments; its code takes the message.
const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

const settings: KafkaSettings = { brokers: ["b1:9092", "b2:9092"], clientId: "x", ssl: false };
const brokers = settings.brokers;

const retried = (error: Error) =>
  new KafkaJSNumberOfRetriesExceeded(error, { retryCount: 3, retryTime: 300 });
const protocol = (type: string, retriable = true) =>
  new KafkaJSProtocolError({ message: `${type} happened`, type, code: 1, retriable } as never);
const refused = (broker: string) =>
  new KafkaJSConnectionError(`Connection error: connect ECONNREFUSED ${broker}`, {
    broker,
    code: "ECONNREFUSED",
  });

describe("failureOf", () => {
  test("a refused connection under retries is unreachable, retriable, naming broker and socket code", () => {
    const failure = failureOf(retried(refused("b2:9092")));
    expect(failure).toMatchObject({ code: "unreachable", retriable: true });
    expect(failure?.extra).toEqual({ broker: "b2:9092", socket: "ECONNREFUSED" });
  });

  test("a request timeout is unreachable and timed out", () => {
    const failure = failureOf(
      new KafkaJSRequestTimeoutError("Request Metadata(key: 3, version: 6) timed out"),
    );
    expect(failure).toMatchObject({ code: "unreachable", retriable: true, extra: { socket: "ETIMEDOUT" } });
  });

  test("certificate codes are TLS, not retriable; a reset is TLS only on a TLS client", () => {
    const untrusted = new KafkaJSConnectionError("Connection error: self signed certificate", {
      broker: "b1:9092",
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    expect(failureOf(retried(untrusted))).toMatchObject({ code: "tls", retriable: false });
    const reset = new KafkaJSConnectionError("Connection error: socket hang up", {
      broker: "b1:9092",
      code: "ECONNRESET",
    });
    expect(failureOf(reset, { tls: true })?.code).toBe("tls");
    expect(failureOf(reset, { tls: false })?.code).toBe("unreachable");
  });

  test("SASL, authorization, fencing, concurrent transactions and an existing topic by class and protocol name", () => {
    expect(failureOf(new SaslError("SASL PLAIN authentication failed"))?.code).toBe("authentication");
    expect(failureOf(protocol("TOPIC_AUTHORIZATION_FAILED", false))?.code).toBe("not-authorized");
    expect(failureOf(retried(protocol("INVALID_PRODUCER_EPOCH", false)))).toMatchObject({
      code: "fenced",
      retriable: false,
    });
    expect(failureOf(protocol("PRODUCER_FENCED", false))?.code).toBe("fenced");
    expect(failureOf(protocol("CONCURRENT_TRANSACTIONS"))).toMatchObject({
      code: "concurrent-transactions",
      retriable: true,
    });
    expect(failureOf(protocol("TOPIC_ALREADY_EXISTS", false))?.code).toBe("topic-exists");
  });

  test("a cluster in trouble keeps kafkajs's retriable verdict and the protocol name", () => {
    expect(failureOf(retried(protocol("NOT_ENOUGH_REPLICAS")))).toMatchObject({
      code: "cluster",
      retriable: true,
      extra: { protocol: "NOT_ENOUGH_REPLICAS" },
    });
  });

  test("message text decides nothing: a kafkajs error merely mentioning a certificate is other", () => {
    expect(
      failureOf(
        new KafkaJSError("certificate ECONNREFUSED SASL_AUTHENTICATION_FAILED", { retriable: false }),
      ),
    ).toMatchObject({ code: "other", retriable: false });
  });

  test("anything that is not kafkajs's is no failure (a bug of ours)", () => {
    expect(failureOf(new TypeError("x is undefined"))).toBeUndefined();
    expect(failureOf({ name: "KafkaJSConnectionError", message: "lookalike" })).toBeUndefined();
  });
});

describe("failureMessage", () => {
  test("one broker refused", () => {
    const failure = failureOf(retried(refused("127.0.0.1:1")));
    expect(failure && failureMessage(failure, ["127.0.0.1:1"])).toBe(
      "cannot reach Kafka at 127.0.0.1:1 (connection refused): is the broker running? Set --brokers or DCHAT_BROKERS",
    );
  });

  test("one broker of several down names that broker", () => {
    expect(kafkaFailure(retried(refused("b2:9092")), settings).message).toMatch(
      /^Kafka broker b2:9092 is unreachable \(connection refused\) and the cluster at b1:9092,b2:9092 did not work around it in time/,
    );
  });

  test("SASL, TLS and authorization failures say what to check", () => {
    expect(kafkaFailure(new SaslError("SASL PLAIN authentication failed"), settings).message).toMatch(
      /^Kafka at b1:9092,b2:9092 rejected the SASL credentials/,
    );
    const untrusted = new KafkaJSConnectionError("Connection error: self signed certificate", {
      broker: "b1:9092",
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    expect(kafkaFailure(retried(untrusted), settings).message).toBe(
      "TLS handshake with Kafka at b1:9092,b2:9092 failed (Connection error: self signed certificate): check --ssl and --ssl-ca",
    );
    expect(kafkaFailure(protocol("TOPIC_AUTHORIZATION_FAILED", false), settings).message).toMatch(
      /refused this operation \(not authorized\): TOPIC_AUTHORIZATION_FAILED happened$/,
    );
  });

  test("below min ISR names the trouble, not an unreachable cluster", () => {
    expect(kafkaFailure(retried(protocol("NOT_ENOUGH_REPLICAS")), settings).message).toBe(
      "Kafka at b1:9092,b2:9092: too few in-sync replicas to accept the write (fewer brokers up than min.insync.replicas); nothing was written",
    );
  });

  test("a delivery timeout names the last retried failure", () => {
    expect(failureMessage(deliveryTimeout(40_000, "The request timed out"), brokers)).toBe(
      "Kafka at b1:9092,b2:9092 did not acknowledge the record within 40 s (last error: The request timed out): " +
        "too few brokers up for min.insync.replicas, or no leader elected; it may or may not be stored",
    );
  });

  test("anything else is still one line", () => {
    const odd = { name: "Weird", message: "first line\nsecond line" };
    expect(kafkaFailure(odd, settings).message).toBe("Kafka at b1:9092,b2:9092 failed: first line");
    expect(kafkaFailure(new KafkaJSError("first line\nsecond line"), settings).message).toBe(
      "Kafka at b1:9092,b2:9092 failed: first line",
    );
  });
});
