/**
 * Kafka failures as kinds: what went wrong (a code), whether trying again may help, and the
 * details a user line names. The adapter turns every kafkajs error into one of these from
 * kafkajs's error classes, the socket's error code and the Kafka protocol error name, never from
 * message text, so callers outside lib/kafka/ decide on `code` and `retriable` alone.
 */
import {
  KafkaJSBrokerNotFound,
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} from "kafkajs";
import type { KafkaSettings } from "../config.ts";
import { UserError } from "../errors.ts";

export type FailureCode =
  /** No connection to a broker: refused, host not found, timed out, closed. */
  | "unreachable"
  /** The TLS handshake failed (certificate not trusted, not a TLS listener). */
  | "tls"
  /** The SASL credentials were rejected. */
  | "authentication"
  /** An ACL refused the operation. */
  | "not-authorized"
  /** The cluster answered but a broker failure left it unable to serve (see clusterTrouble). */
  | "cluster"
  /** A newer producer with the same transactional id took over: this one may not commit. */
  | "fenced"
  /** The transaction coordinator is still finishing the previous transaction of this id. */
  | "concurrent-transactions"
  /** The topic was created by someone else meanwhile. */
  | "topic-exists"
  /** A record was not acknowledged within the delivery timeout (retries included). */
  | "delivery-timeout"
  | "other";

/** An Error, so a failure shown with String() or a log reads as one (`KafkaFailure: detail`). */
export class KafkaFailure extends Error {
  readonly kind = "kafka-failure";
  constructor(
    readonly code: FailureCode,
    /** kafkajs's own verdict on the deepest cause: another attempt may succeed. */
    readonly retriable: boolean,
    /** The first line of the deepest cause's message, for the user line. */
    readonly detail: string,
    readonly extra: {
      /** The Kafka protocol error name (NOT_ENOUGH_REPLICAS, …) when a broker answered with one. */
      protocol?: string;
      /** "host:port" of the broker that could not be reached. */
      broker?: string;
      /** The socket's error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, …). */
      socket?: string;
      /** For delivery-timeout: how long the record waited. */
      waitedMs?: number;
    } = {},
  ) {
    super(detail);
    this.name = "KafkaFailure";
  }
}

export function isKafkaFailure(value: unknown): value is KafkaFailure {
  return value instanceof KafkaFailure;
}

/** A send that was not acknowledged within `ms`; `lastError` is what the producer last retried on. */
export function deliveryTimeout(ms: number, lastError: string | undefined): KafkaFailure {
  return new KafkaFailure("delivery-timeout", false, lastError ?? "", { waitedMs: ms });
}

/** Node's certificate verification codes and OpenSSL's, as a TLS socket reports them. */
const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "HOSTNAME_MISMATCH",
  "EPROTO",
]);

const isTlsCode = (code: string) => TLS_CODES.has(code) || /^ERR_(SSL|TLS)_/.test(code);

/** The chain of causes kafkajs wraps around the real reason (retries exceeded → connection error). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && typeof current === "object" && chain.length < 10) {
    chain.push(current);
    const wrapper = current as { originalError?: unknown; cause?: unknown };
    current = wrapper.originalError ?? wrapper.cause;
  }
  return chain;
}

function firstLine(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return (typeof message === "string" && message !== "" ? message : "unknown error").split("\n")[0] as string;
}

const FENCED = new Set(["PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH"]);

/**
 * The failure a kafkajs error (or one already classified) stands for; undefined for anything
 * else, which escaping a Kafka call is a bug of ours. `tls` says the client connects with TLS: a
 * connection reset during its handshake is then a listener that does not speak TLS.
 */
export function failureOf(error: unknown, { tls = false }: { tls?: boolean } = {}): KafkaFailure | undefined {
  if (error instanceof KafkaFailure) return error;
  if (!(error instanceof KafkaJSError)) return undefined;
  const chain = causes(error);
  const deepest = chain.at(-1);
  const detail = firstLine(chain.findLast((e) => firstLine(e) !== "unknown error") ?? error);
  const retriable = deepest instanceof KafkaJSError && deepest.retriable;
  const protocol = chain.find((e): e is KafkaJSProtocolError => e instanceof KafkaJSProtocolError)?.type;
  const connection = chain.find((e): e is KafkaJSConnectionError => e instanceof KafkaJSConnectionError);
  const socket = (connection as { code?: string } | undefined)?.code;
  const broker = connection?.broker;
  const extra = {
    ...(protocol !== undefined ? { protocol } : {}),
    ...(broker !== undefined ? { broker } : {}),
    ...(socket !== undefined ? { socket } : {}),
  };

  if (
    chain.some((e) => e instanceof KafkaJSSASLAuthenticationError) ||
    protocol === "SASL_AUTHENTICATION_FAILED"
  )
    return new KafkaFailure("authentication", false, detail, extra);
  if (socket !== undefined && (isTlsCode(socket) || (tls && socket === "ECONNRESET")))
    return new KafkaFailure("tls", false, detail, extra);
  if (protocol?.endsWith("_AUTHORIZATION_FAILED"))
    return new KafkaFailure("not-authorized", false, detail, extra);
  if (protocol !== undefined && FENCED.has(protocol)) return new KafkaFailure("fenced", false, detail, extra);
  if (protocol === "CONCURRENT_TRANSACTIONS")
    return new KafkaFailure("concurrent-transactions", true, detail, extra);
  if (protocol === "TOPIC_ALREADY_EXISTS") return new KafkaFailure("topic-exists", false, detail, extra);
  if (protocol !== undefined && clusterTrouble[protocol] !== undefined)
    return new KafkaFailure("cluster", retriable, detail, extra);
  if (
    connection !== undefined ||
    chain.some((e) => e instanceof KafkaJSRequestTimeoutError || e instanceof KafkaJSBrokerNotFound)
  )
    return new KafkaFailure("unreachable", true, detail, {
      ...extra,
      ...(chain.some((e) => e instanceof KafkaJSRequestTimeoutError) && socket === undefined
        ? { socket: "ETIMEDOUT" }
        : {}),
    });
  return new KafkaFailure("other", retriable, detail, extra);
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

const socketReasons: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "host unreachable",
};

/**
 * The one line a user needs: what went wrong, against which brokers, and what to do. Every
 * failure becomes one line; nothing here prints a stack.
 */
export function failureMessage(failure: KafkaFailure, brokers: string[]): string {
  const where = brokers.join(",");
  const { protocol, broker, socket, waitedMs } = failure.extra;
  switch (failure.code) {
    case "delivery-timeout":
      return (
        `Kafka at ${where} did not acknowledge the record within ${(waitedMs ?? 0) / 1000} s` +
        (failure.detail ? ` (last error: ${failure.detail.split("\n")[0]})` : "") +
        ": too few brokers up for min.insync.replicas, or no leader elected; it may or may not be stored"
      );
    case "authentication":
      return `Kafka at ${where} rejected the SASL credentials: check DCHAT_SASL_USERNAME/DCHAT_SASL_PASSWORD and --sasl-mechanism`;
    case "tls":
      return `TLS handshake with Kafka at ${where} failed (${failure.detail}): check --ssl and --ssl-ca`;
    case "not-authorized":
      return `Kafka at ${where} refused this operation (not authorized): ${failure.detail}`;
    case "cluster":
      return `Kafka at ${where}: ${clusterTrouble[protocol ?? ""] ?? failure.detail}`;
    case "unreachable": {
      const reason = socketReasons[socket ?? ""] ?? "no connection";
      // One broker of several is named: the others may well be up, so say which one failed.
      if (broker !== undefined && brokers.length > 1)
        return `Kafka broker ${broker} is unreachable (${reason}) and the cluster at ${where} did not work around it in time: are its brokers running?`;
      return `cannot reach Kafka at ${where} (${reason}): is the broker running? Set --brokers or DCHAT_BROKERS`;
    }
    default:
      return `Kafka at ${where} failed: ${failure.detail}`;
  }
}

/**
 * Any error out of a Kafka call as the user's one line (exit 1). Errors that are no Kafka
 * failure still become a line here; callers that can tell a bug apart use failureOf first.
 */
export function kafkaFailure(error: unknown, settings: KafkaSettings): UserError {
  const failure =
    failureOf(error, { tls: settings.ssl !== false }) ?? new KafkaFailure("other", false, firstLine(error));
  return new UserError(failureMessage(failure, settings.brokers));
}
