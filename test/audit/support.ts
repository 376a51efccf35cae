/**
 * What the audit tests share: producing records, reading the topic back with librdkafka
 * (confluent-kafka: another client than ours), reading the archive back with DuckDB (another Parquet reader than
 * ours), running `dchat audit` as a process, and the archive pandas and Spark read.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { kafkaSettings } from "../../lib/config.ts";
import { type Kafka, type KafkaClient, kafkajsOf, openKafka } from "../../lib/kafka/index.ts";
import { roomToTopic } from "../../lib/rooms.ts";
import { encode } from "../../lib/wire.ts";
import { repoRoot, uniqueName } from "../support/broker.ts";
import { readRecords } from "../support/client.ts";
import { dchatCommand } from "../support/dchat.ts";

export interface TopicRecord {
  partition: number;
  offset: number;
  value: Buffer | null;
}

/** The adapter's client, as dchat audit makes it. */
export function clientFor(brokers: string): KafkaClient {
  const settings = kafkaSettings({ brokers }, {});
  if (!("brokers" in settings)) throw new Error(settings.message);
  return openKafka(settings);
}

/** kafkajs's own client, for scaffolding the adapter has no operation for (explicit partitions). */
export function kafkaFor(brokers: string): Kafka {
  return kafkajsOf(clientFor(brokers));
}

const created: string[] = [];

export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
  created.push(topic);
}

/** Deletes the topics this process created with createTopic (and nothing else). */
export async function deleteCreatedTopics(brokers: string): Promise<void> {
  if (created.length === 0) return;
  const admin = kafkaFor(brokers).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: created.splice(0) }).catch(() => undefined);
  await admin.disconnect();
}

export async function produce(
  kafka: Kafka,
  topic: string,
  messages: { partition: number; value: Buffer | string | null }[],
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < messages.length; i += 1000) {
    await producer.send({ topic, messages: messages.slice(i, i + 1000) });
  }
  await producer.disconnect();
}

/** Every committed record of the topic, read by librdkafka (another client than ours) from the beginning to the end. */
export function topicRecords(brokers: string, topic: string): TopicRecord[] {
  return readRecords(brokers, topic).map(({ partition, offset, bytes }) => ({
    partition,
    offset,
    value: bytes,
  }));
}

export interface ArchivedRecord {
  room: string;
  topic: string;
  partition: number;
  offset: number;
  sender: string | null;
  message: string | null;
  end: boolean | null;
  timestamp: string | null;
  problem: string | null;
  raw: string | null;
}

/** Rows of a DuckDB query, as JSON-friendly objects. */
export async function duck<T>(sql: string): Promise<T[]> {
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as unknown as T[];
  } finally {
    connection.closeSync();
  }
}

/** Every row of `messages_audit`, read by DuckDB with Hive partitioning. */
export async function archivedRecords(out: string): Promise<ArchivedRecord[]> {
  if (!existsSync(join(out, "messages_audit"))) return [];
  const rows = await duck<Record<string, unknown>>(
    `select room, topic, "partition", "offset", sender, message, "end", "timestamp", problem, hex(raw) as raw
     from read_parquet('${out}/messages_audit/*/*.parquet', hive_partitioning = true)
     order by topic, "partition", "offset"`,
  );
  return rows.map((r) => ({
    room: r.room as string,
    topic: r.topic as string,
    partition: Number(r.partition),
    offset: Number(r.offset),
    sender: r.sender as string | null,
    message: r.message as string | null,
    end: r.end as boolean | null,
    timestamp: r.timestamp as string | null,
    problem: r.problem as string | null,
    raw: r.raw as string | null,
  }));
}

/** (topic, partition, offset) of every `message_processed` row, read by DuckDB. */
export async function processedKeys(out: string): Promise<{ key: string; date: string; message: string }[]> {
  if (!existsSync(join(out, "message_processed"))) return [];
  const rows = await duck<Record<string, unknown>>(
    `select topic, "partition", "offset", cast(date as varchar) as date, message
     from read_parquet('${out}/message_processed/*/*.parquet', hive_partitioning = true)
     order by topic, "partition", "offset"`,
  );
  return rows.map((r) => ({
    key: `${r.topic}+${r.partition}+${r.offset}`,
    date: r.date as string,
    message: r.message as string,
  }));
}

/** `dchat audit ARGS…` as a process: the compiled binary, or with DCHAT_TEST_SOURCES=1 main.ts. */
export function auditProcessArgs(args: string[]): string[] {
  return [...dchatCommand(), "audit", ...args];
}

export interface AuditResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runAuditProcess(
  args: string[],
  env: Record<string, string> = {},
): Promise<AuditResult> {
  const proc = Bun.spawn(auditProcessArgs(args), {
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home"), TZ: "UTC", ...env },
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/** What an archived row must hold for a topic record: the decoded fields, or the raw bytes. */
export function expectedRow(
  record: TopicRecord,
): Pick<ArchivedRecord, "sender" | "message" | "end" | "timestamp" | "raw"> {
  const value = record.value;
  try {
    const parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(value ?? new Uint8Array()));
    if (
      typeof parsed.sender === "string" &&
      typeof parsed.message === "string" &&
      typeof parsed.end === "boolean"
    ) {
      return {
        sender: parsed.sender,
        message: parsed.message,
        end: parsed.end,
        timestamp: parsed.timestamp ?? null,
        raw: null,
      };
    }
  } catch {}
  return {
    sender: null,
    message: null,
    end: null,
    timestamp: null,
    raw: (value ?? Buffer.alloc(0)).toString("hex").toUpperCase(),
  };
}

/**
 * The Python of .cache/py, which the test command fills from test/requirements.txt, with every
 * one of `modules`; otherwise the test fails saying what is missing (never a skip).
 */
export function pythonWith(...modules: string[]): string {
  const python = join(repoRoot, ".cache", "py", "bin", "python");
  const install =
    "the test command installs test/requirements.txt there (or .cache/py/bin/pip install -r test/requirements.txt)";
  if (!existsSync(python)) throw new Error(`no Python environment in .cache/py: ${install}`);
  const missing = modules.filter((m) => spawnSync(python, ["-c", `import ${m}`]).status !== 0);
  if (missing.length > 0) throw new Error(`.cache/py has no ${missing.join(", ")}: ${install}`);
  return python;
}

/**
 * The archive the foreign readers (pandas, Spark) are checked against: a Hangul room over three
 * partitions with a join notice, a two-line message, a leave record and a bad record, and a
 * partition of bad records only (its file's typed columns are all null), archived once into
 * `out`. Returns the room and when the records were sent.
 */
export async function readersArchive(
  brokers: string,
  out: string,
  roomPrefix: string,
): Promise<{ room: string; sentFrom: number; sentTo: number }> {
  const room = `${roomPrefix} ${uniqueName("방")}`;
  const topic = roomToTopic(room) as string;
  const kafka = kafkaFor(brokers);
  await createTopic(kafka, topic, 3);
  const chat = (partition: number, sender: string, message: string, end = false) => ({
    partition,
    value: encode({ sender, message, end, timestamp: "2024-08-26T11:26:28.670735" }),
  });
  const sentFrom = Date.now();
  await produce(kafka, topic, [
    chat(0, "[INFO]", "User [민수] has entered the chat!\n"),
    chat(0, "민수", "안녕하세요\n두 줄"),
    chat(1, "jane", "hello"),
    { partition: 1, value: "not json" },
    chat(1, "jane", "\nUser [jane] has exited the chatroom.", true),
    { partition: 2, value: '{"sender": 7}' },
  ]);
  const sentTo = Date.now();
  const run = await runAuditProcess(["--out", out, "--rooms", room, "--brokers", brokers, "--no-stats"]);
  if (run.code !== 0) throw new Error(`dchat audit exited ${run.code}: ${run.stderr}`);
  return { room, sentFrom, sentTo };
}
