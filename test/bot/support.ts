/**
 * Harness for the bot's integration tests: runs `dchat bot` as a subprocess, follows its
 * JSON-lines log, writes chat records with kafkajs and reads a room back as read_committed
 * consumers see it (librdkafka, through test/support/client.ts).
 */
import { join } from "node:path";
import { kafkaSettings } from "../../lib/config.ts";
import { isUserError } from "../../lib/errors.ts";
import { connectKafka, type Kafka, type Producer } from "../../lib/kafka.ts";
import { encode, textRecord } from "../../lib/wire.ts";
import { brokerAddress, repoRoot } from "../support/broker.ts";
import { readRecords } from "../support/client.ts";
import { dchatCommand } from "../support/dchat.ts";

export type LogLine = { event: string; level: string; [field: string]: unknown };

export class BotProcess {
  readonly logs: LogLine[] = [];
  readonly stderr: string[] = [];
  readonly proc: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
  readonly exited: Promise<number>;

  constructor(brokers: string, args: string[]) {
    this.proc = Bun.spawn([...dchatCommand(), "bot", "--brokers", brokers, ...args], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home") },
    });
    const stdout = this.#lines(this.proc.stdout, (line) => this.logs.push(JSON.parse(line) as LogLine));
    const stderr = this.#lines(this.proc.stderr, (line) => this.stderr.push(line));
    this.exited = Promise.all([this.proc.exited, stdout, stderr]).then(([code]) => code);
  }

  async #lines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of stream) {
      buffered += decoder.decode(chunk, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line !== "") onLine(line);
    }
  }

  /** Resolves with the first log line matching, or fails naming what was awaited and the log so far. */
  async waitFor(what: string, match: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.logs.find(match);
      if (found) return found;
      if (this.proc.exitCode !== null) break;
      await Bun.sleep(50);
    }
    throw new Error(`bot log never showed ${what}:\n${this.dump()}`);
  }

  /** Waits until the bot serves `room` (its partitions assigned and start positions stored). */
  serving(room: string, timeoutMs = 30_000): Promise<LogLine> {
    return this.waitFor(
      `"assigned" for ${room}`,
      (l) => l.event === "assigned" && (l.rooms as string[]).includes(room),
      timeoutMs,
    );
  }

  count(event: string): number {
    return this.logs.filter((line) => line.event === event).length;
  }

  dump(): string {
    return [...this.logs.map((l) => JSON.stringify(l)), ...this.stderr].slice(-40).join("\n");
  }
}

export async function testKafka(brokers: string): Promise<Kafka> {
  const settings = kafkaSettings({ brokers }, {});
  if (isUserError(settings)) throw new Error(settings.message);
  return connectKafka(settings);
}

/** What the bot test files share: the broker, a Kafka client and a connected producer. */
export interface TestBed {
  brokers: string;
  kafka: Kafka;
  producer: Producer;
}

export async function openTestBed(): Promise<TestBed> {
  const brokers = await brokerAddress();
  const kafka = await testKafka(brokers);
  const producer = kafka.producer();
  await producer.connect();
  return { brokers, kafka, producer };
}

/** Disconnects the producer and deletes the rooms the test file created. */
export async function closeTestBed({ kafka, producer }: TestBed, created: string[]): Promise<void> {
  await producer.disconnect();
  await deleteRooms(kafka, created);
}

export async function createRoom(kafka: Kafka, topic: string, partitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  // Producers right after creation can still be told UNKNOWN_TOPIC_OR_PARTITION; wait it out.
  for (let attempt = 0; attempt < 50; attempt++) {
    const ok = await admin.fetchTopicMetadata({ topics: [topic] }).then(
      ({ topics }) => topics[0]?.partitions.length === partitions,
      () => false,
    );
    if (ok) break;
    await Bun.sleep(100);
  }
  await admin.disconnect();
}

export async function deleteRooms(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
}

export async function say(
  producer: Producer,
  topic: string,
  sender: string,
  message: string,
  extra: { partition?: number; end?: boolean } = {},
): Promise<void> {
  const record = { ...textRecord(sender, message, new Date()), end: extra.end ?? false };
  await producer.send({ topic, messages: [{ value: encode(record), partition: extra.partition ?? 0 }] });
}

export interface RoomRecord {
  partition: number;
  offset: number;
  sender: string;
  message: string;
  replyTo: string | undefined;
}

/** Everything a read_committed reader (librdkafka) sees in the room now, in partition order. */
export function readCommitted(brokers: string, topic: string): RoomRecord[] {
  return readRecords(brokers, topic, { committed: true }).map((record) => {
    let parsed: { sender?: string; message?: string } = {};
    try {
      parsed = JSON.parse(record.value);
    } catch {}
    return {
      partition: record.partition,
      offset: record.offset,
      sender: parsed.sender ?? "",
      message: parsed.message ?? "",
      replyTo: record.headers["dchat-reply-to"],
    };
  });
}

/** Polls the room until `done` holds for the bot's answers in it. */
export async function answersWhen(
  brokers: string,
  topic: string,
  done: (answers: RoomRecord[]) => boolean,
  timeoutMs = 40_000,
): Promise<RoomRecord[]> {
  const deadline = Date.now() + timeoutMs;
  let answers: RoomRecord[] = [];
  while (Date.now() < deadline) {
    answers = readCommitted(brokers, topic).filter((r) => r.sender === "[bot]" && r.replyTo !== undefined);
    if (done(answers)) return answers;
    await Bun.sleep(200);
  }
  throw new Error(`answers in ${topic} never reached the expected state; have ${answers.length}`);
}
