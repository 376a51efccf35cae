/**
 * Harness for the bot's integration tests: runs `dchat bot` as a subprocess, follows its
 * JSON-lines log, writes chat records with kafkajs and reads a room back as read_committed
 * consumers see it (librdkafka, through test/support/client.ts).
 */
import { afterAll, beforeAll } from "bun:test";
import { join } from "node:path";
import { kafkaSettings } from "../../lib/config.ts";
import { isUserError } from "../../lib/errors.ts";
import { connectKafka, type Kafka, type Producer } from "../../lib/kafka/index.ts";
import { encode, textRecord } from "../../lib/wire.ts";
import { brokerAddress, repoRoot } from "../support/broker.ts";
import { readRecords } from "../support/client.ts";
import { dchatCommand } from "../support/dchat.ts";

export type LogLine = { event: string; level: string; [field: string]: unknown };

const STILL_RUNNING = "still running after SIGTERM" as const;

export class BotProcess {
  readonly logs: LogLine[] = [];
  readonly stderr: string[] = [];
  readonly proc: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
  readonly exited: Promise<number>;

  /** `env` adds variables, e.g. the test-only DCHAT_BOT_TEST_HOLD=N:MS. */
  constructor(brokers: string, args: string[], env: Record<string, string> = {}) {
    this.proc = Bun.spawn([...dchatCommand(), "bot", "--brokers", brokers, ...args], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home"), ...env },
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

  /**
   * SIGTERM, then the exit code. A bot still running `graceMs` later (its event loop starved, so
   * the signal is never handled) is killed with -9 and reported so, instead of hanging the test.
   */
  async stop(graceMs = 20_000): Promise<number | typeof STILL_RUNNING> {
    this.proc.kill("SIGTERM");
    const exited = await Promise.race([this.exited, Bun.sleep(graceMs).then(() => STILL_RUNNING)]);
    if (exited === STILL_RUNNING) this.proc.kill("SIGKILL");
    return exited;
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

/**
 * The test file's TestBed, opened before its tests and closed after them, with `created`: the
 * rooms the tests made, deleted at the end. Its fields are there once the tests run.
 */
export function useTestBed(): TestBed & { created: string[] } {
  const bed = { created: [] as string[] } as TestBed & { created: string[] };
  beforeAll(async () => {
    const brokers = await brokerAddress();
    const kafka = await testKafka(brokers);
    const producer = kafka.producer();
    await producer.connect();
    Object.assign(bed, { brokers, kafka, producer });
  });
  afterAll(async () => {
    await bed.producer.disconnect();
    await deleteRooms(bed.kafka, bed.created);
  });
  return bed;
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
): Promise<string> {
  const record = { ...textRecord(sender, message, new Date()), end: extra.end ?? false };
  const partition = extra.partition ?? 0;
  const [meta] = await producer.send({ topic, messages: [{ value: encode(record), partition }] });
  return `${topic}/${partition}/${meta?.baseOffset}`;
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
  return readRoom(brokers, topic, true);
}

/** The bot's answers (records with a reply-to header) as a read_committed or read_uncommitted reader sees them. */
export function readAnswers(brokers: string, topic: string, committed: boolean): RoomRecord[] {
  return readRoom(brokers, topic, committed).filter((r) => r.sender === "[bot]" && r.replyTo !== undefined);
}

function readRoom(brokers: string, topic: string, committed: boolean): RoomRecord[] {
  return readRecords(brokers, topic, { committed }).map((record) => {
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

/** Asks question number `index` (sender `user<index>`) in partition index % partitions; returns its topic/partition/offset. */
export async function ask(
  producer: Producer,
  room: string,
  index: number,
  partitions: number,
  question = "@bot 고시원 | 감독",
): Promise<string> {
  const partition = index % partitions;
  const [meta] = await producer.send({
    topic: room,
    messages: [
      {
        partition,
        value: encode({ ...textRecord(`user${index}`, question, new Date()), end: false }),
      },
    ],
  });
  return `${room}/${partition}/${meta?.baseOffset}`;
}

/** Waits until every sentinel question has its committed answer, then returns all answers. */
export function answersAfterSentinels(
  brokers: string,
  topic: string,
  sentinels: string[],
  timeoutMs = 60_000,
): Promise<RoomRecord[]> {
  return answersWhen(
    brokers,
    topic,
    (answers) => {
      const answered = new Set(answers.map((a) => a.replyTo));
      return sentinels.every((s) => answered.has(s));
    },
    timeoutMs,
  );
}

/**
 * One question per partition, asked after everything else: a partition's answers are committed
 * in offset order, so once its sentinel is answered (read_committed) no earlier question of
 * that partition can still get an answer, and counting them is final.
 */
export async function askSentinels(producer: Producer, room: string, partitions: number): Promise<string[]> {
  const ids: string[] = [];
  for (let p = 0; p < partitions; p++)
    ids.push(await ask(producer, room, partitions * 100_000 + p, partitions));
  return ids;
}

/** How the answers fall short of one per question: every list empty means exactly one each. */
export function answerTally(answers: RoomRecord[], questions: string[]) {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a.replyTo ?? "", (counts.get(a.replyTo ?? "") ?? 0) + 1);
  const asked = new Set(questions);
  return {
    missing: questions.filter((q) => !counts.has(q)),
    duplicated: [...counts].filter(([q, n]) => asked.has(q) && n > 1).map(([q]) => q),
    unasked: [...counts.keys()].filter((q) => !asked.has(q)),
  };
}

export const NO_SHORTFALL = { missing: [], duplicated: [], unasked: [] };
