/**
 * Exactly-once answers against the real broker: two replicas in one consumer group share a
 * room's partitions and answer each question once; a replica killed with -9 in the middle of a
 * stream and started again leaves exactly one answer per question.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Kafka, Producer } from "../../lib/kafka.ts";
import {
  answersWhen,
  BotProcess,
  closeTestBed,
  createRoom,
  openTestBed,
  type RoomRecord,
} from "./support.ts";

const movies = `${import.meta.dir}/../fixtures/kobis/flatmovieList.json`;
let brokers: string;
let kafka: Kafka;
let producer: Producer;
const created: string[] = [];

beforeAll(async () => {
  ({ brokers, kafka, producer } = await openTestBed());
});

afterAll(() => closeTestBed({ brokers, kafka, producer }, created));

/** Each question's offset answered exactly once, and nothing else answered. */
function expectOneAnswerEach(answers: RoomRecord[], questions: string[]): void {
  const replyTo = answers.map((a) => a.replyTo ?? "");
  expect(replyTo.length).toBe(questions.length);
  expect(new Set(replyTo)).toEqual(new Set(questions));
  for (const answer of answers) expect(answer.message).toBe("고시원을 만든 감독의 이름은 이영민 입니다.");
}

async function ask(room: string, index: number, partitions: number): Promise<string> {
  const partition = index % partitions;
  const [meta] = await producer.send({
    topic: room,
    messages: [
      {
        partition,
        value: Buffer.from(
          JSON.stringify({
            sender: `user${index}`,
            message: "@bot 고시원 | 감독",
            end: false,
            timestamp: "2024-08-26T11:26:28.670735",
          }),
        ),
      },
    ],
  });
  return `${room}/${partition}/${meta?.baseOffset}`;
}

test("two replicas in one group answer each question once", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-r-${id}`;
  created.push(room);
  await createRoom(kafka, room, 2);
  const common = ["--rooms", room, "--group", `bot-test-${id}`, "--rate-limit", "off", "--movies", movies];
  const first = new BotProcess(brokers, [...common, "--instance", "r1"]);
  const second = new BotProcess(brokers, [...common, "--instance", "r2"]);
  try {
    await first.serving(room);
    await second.serving(room);
    // Once both are members, each holds one of the two partitions.
    await first.waitFor("one partition", (l) => l.event === "assigned" && l.partitions === 1);
    await second.waitFor("one partition", (l) => l.event === "assigned" && l.partitions === 1);
    const questions: string[] = [];
    for (let i = 0; i < 40; i++) questions.push(await ask(room, i, 2));
    await answersWhen(brokers, room, (a) => a.length >= questions.length);
    await Bun.sleep(1500);
    expectOneAnswerEach(await answersWhen(brokers, room, () => true), questions);
    expect(first.count("answer")).toBeGreaterThan(0);
    expect(second.count("answer")).toBeGreaterThan(0);
    expect(first.count("answer") + second.count("answer")).toBe(40);
  } finally {
    first.proc.kill("SIGTERM");
    second.proc.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);
  }
}, 60_000);

test("kill -9 in the middle of a stream, then restart: one answer per question", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-k-${id}`;
  created.push(room);
  await createRoom(kafka, room);
  const args = [
    "--rooms",
    room,
    "--group",
    `bot-test-${id}`,
    "--instance",
    "k",
    "--rate-limit",
    "off",
    "--movies",
    movies,
  ];
  const questions: string[] = [];
  const first = new BotProcess(brokers, args);
  await first.serving(room);
  let killed = false;
  const asking = (async () => {
    for (let i = 0; i < 150; i++) {
      questions.push(await ask(room, i, 1));
      if (!killed && first.count("answer") >= 30) {
        first.proc.kill("SIGKILL");
        killed = true;
      }
      await Bun.sleep(5);
    }
  })();
  await asking;
  await first.exited;
  expect(killed).toBe(true);
  const answeredBefore = first.count("answer");
  const second = new BotProcess(brokers, args);
  try {
    await answersWhen(brokers, room, (a) => a.length >= questions.length, 60_000);
    await Bun.sleep(1500);
    expectOneAnswerEach(await answersWhen(brokers, room, () => true), questions);
    console.log(`killed after ${answeredBefore} logged answers; restart answered ${second.count("answer")}`);
  } finally {
    second.proc.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }
}, 90_000);

test("a second replica with the same --instance fences the first, which exits 1 saying why", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-f-${id}`;
  created.push(room);
  await createRoom(kafka, room, 2);
  const args = ["--rooms", room, "--group", `bot-test-${id}`, "--instance", "same", "--movies", movies];
  const first = new BotProcess(brokers, args);
  let second: BotProcess | undefined;
  try {
    await first.serving(room);
    // The first replica's producer exists (it has committed) before the second one starts.
    const questions = [await ask(room, 0, 2)];
    await answersWhen(brokers, room, (a) => a.length >= 1);
    second = new BotProcess(brokers, args);
    await second.waitFor("one partition", (l) => l.event === "assigned" && l.partitions === 1);
    // Questions to both partitions until the first replica tries to commit after the second
    // one's producer has fenced it.
    for (let i = 1; i <= 40 && first.proc.exitCode === null; i++) {
      questions.push(await ask(room, i, 2));
      await Bun.sleep(250);
    }
    expect(await first.exited).toBe(1);
    expect(first.stderr.join("\n")).toContain(
      'instance "same" was fenced by another bot using the same --instance',
    );
    await answersWhen(brokers, room, (a) => a.length >= questions.length);
    await Bun.sleep(1500);
    expectOneAnswerEach(await answersWhen(brokers, room, () => true), questions);
  } finally {
    first.proc.kill("SIGKILL");
    second?.proc.kill("SIGTERM");
    expect(await second?.exited).toBe(0);
  }
}, 60_000);
