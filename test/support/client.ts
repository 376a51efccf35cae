/**
 * The independent clients of the tests, from PyPI, run from the venv the test command installs
 * (.cache/py, test/requirements.txt): confluent-kafka (librdkafka, the engine inside kcat) reads
 * and writes topics; kafka-python, the original project's own client, reads and writes as the
 * original did. Each call is one run of test/support/kafka_client.py.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./broker.ts";

export const python = join(repoRoot, ".cache", "py", "bin", "python");

export interface ClientRecord {
  partition: number;
  offset: number;
  key: string | null;
  /** The value as UTF-8 text (invalid bytes replaced, "" for null); `bytes` holds it exactly. */
  value: string;
  bytes: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
}

function run(command: string, args: object): unknown {
  if (!existsSync(python))
    throw new Error(`${python} is missing: the test command installs it (npm test, test/requirements.txt)`);
  const result = spawnSync(python, [join(import.meta.dir, "kafka_client.py"), command], {
    input: JSON.stringify(args),
    timeout: 60_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.error) throw new Error(`the Python Kafka client could not run: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(
      `kafka_client.py ${command} ${JSON.stringify(args).slice(0, 200)} failed: ${result.stderr}`,
    );
  return JSON.parse(result.stdout.toString("utf8"));
}

const bytesOf = (b64: string | null) => Buffer.from(b64 ?? "", "base64");

/**
 * Every record of the topic from the beginning to its current end, by partition and offset.
 * Like kcat (librdkafka's default), read_committed unless `committed: false`: then up to the last
 * stable offset, without aborted records.
 */
export function readRecords(
  brokers: string,
  topic: string,
  options: { committed?: boolean } = {},
): ClientRecord[] {
  type Raw = {
    partition: number;
    offset: number;
    key: string | null;
    value: string | null;
    headers: [string, string | null][];
    timestamp: number;
  };
  return (run("read", { brokers, topic, committed: options.committed ?? true }) as Raw[]).map((r) => {
    const bytes = r.value === null ? null : bytesOf(r.value);
    return {
      partition: r.partition,
      offset: r.offset,
      key: r.key === null ? null : bytesOf(r.key).toString("utf8"),
      value: bytes?.toString("utf8") ?? "",
      bytes,
      headers: Object.fromEntries(r.headers.map(([k, v]) => [k, bytesOf(v).toString("utf8")])),
      timestamp: r.timestamp,
    };
  });
}

/** Every record value of the topic as UTF-8 text, by partition and offset. */
export function readValues(brokers: string, topic: string, options: { committed?: boolean } = {}): string[] {
  return readRecords(brokers, topic, options).map((r) => r.value);
}

/** Produces each value as one record (acks=all) and returns once every one is acknowledged. */
export function produceValues(
  brokers: string,
  topic: string,
  values: (string | Buffer)[],
  options: { partition?: number; key?: string } = {},
): void {
  const encoded = values.map((v) => Buffer.from(v).toString("base64"));
  run("produce", { brokers, topic, values: encoded, ...options });
}

export function topicInfo(brokers: string, topic: string): { partitions: number; replicationFactor: number } {
  return run("metadata", { brokers, topic }) as { partitions: number; replicationFactor: number };
}

/** The ids of the consumer groups starting with `prefix`; with `client`, those with a member of that client id. */
export function consumerGroups(
  brokers: string,
  options: { prefix?: string; client?: string } = {},
): string[] {
  return run("groups", { brokers, ...options }) as string[];
}

export function topicPartitions(brokers: string, topic: string): number {
  return topicInfo(brokers, topic).partitions;
}

/** Writes each record as the original DoubleChat clients did: kafka-python, `json.dumps` as serializer. */
export function produceAsOriginal(brokers: string, topic: string, records: unknown[]): void {
  run("original-produce", { brokers, topic, records });
}

/** The first `count` records of the topic as the original clients read them: kafka-python, `json.loads`. */
export function consumeAsOriginal(brokers: string, topic: string, count: number): unknown[] {
  return run("original-consume", { brokers, topic, count }) as unknown[];
}
