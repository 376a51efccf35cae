/**
 * Exactly-once answers against the real broker: two replicas in one consumer group share a
 * room's partitions and answer each question once; a replica killed with -9 while a
 * transaction is open (answers produced, not committed: proven, not assumed) and started again
 * leaves exactly one answer per question. "Exactly one" is counted once a sentinel question
 * asked after the stream is answered, never after a pause.
 */
import { expect, test } from "bun:test";
import {
  answersAfterSentinels,
  answerTally,
  ask,
  askSentinels,
  BotProcess,
  createRoom,
  type LogLine,
  NO_SHORTFALL,
  type RoomRecord,
  readAnswers,
  useTestBed,
} from "./support.ts";

const movies = `${import.meta.dir}/../fixtures/kobis/flatmovieList.json`;
const ANSWER = "고시원을 만든 감독의 이름은 이영민 입니다.";
const bed = useTestBed();
const { created } = bed;

test("two replicas in one group answer each question once", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-r-${id}`;
  created.push(room);
  await createRoom(bed.kafka, room, 2);
  const common = ["--rooms", room, "--group", `bot-test-${id}`, "--rate-limit", "off", "--movies", movies];
  const first = new BotProcess(bed.brokers, [...common, "--instance", "r1"]);
  const second = new BotProcess(bed.brokers, [...common, "--instance", "r2"]);
  let answers: RoomRecord[] = [];
  const questions: string[] = [];
  try {
    await first.serving(room);
    await second.serving(room);
    // Once both are members, each holds one of the two partitions (a room's partitions take different slots).
    await first.waitFor("one partition", (l) => l.event === "assigned" && l.partitions === 1);
    await second.waitFor("one partition", (l) => l.event === "assigned" && l.partitions === 1);
    for (let i = 0; i < 40; i++) questions.push(await ask(bed.producer, room, i, 2));
    const sentinels = await askSentinels(bed.producer, room, 2);
    questions.push(...sentinels);
    answers = await answersAfterSentinels(bed.brokers, room, sentinels);
  } finally {
    first.proc.kill("SIGTERM");
    second.proc.kill("SIGTERM");
  }
  expect(await first.exited).toBe(0);
  expect(await second.exited).toBe(0);
  expect(answerTally(answers, questions)).toEqual(NO_SHORTFALL);
  for (const answer of answers) expect(answer.message).toBe(ANSWER);
  expect(first.count("answer")).toBeGreaterThan(0);
  expect(second.count("answer")).toBeGreaterThan(0);
  expect(first.count("answer") + second.count("answer")).toBe(questions.length);
}, 60_000);

test("kill -9 with a transaction open (answers produced, not committed), then restart: one answer per question", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-k-${id}`;
  created.push(room);
  await createRoom(bed.kafka, room);
  const args = ["--rooms", room, "--group", `bot-test-${id}`, "--instance", "k", "--rate-limit", "off"];
  const questions: string[] = [];
  // The 4th transaction with answers is held open (for longer than the test) after its answers are produced.
  const first = new BotProcess(bed.brokers, [...args, "--movies", movies], {
    DCHAT_BOT_TEST_HOLD: "4:120000",
  });
  let open: string[] = [];
  let held: LogLine | undefined;
  try {
    await first.serving(room);
    const asking = (async () => {
      for (let i = 0; i < 150; i++) {
        questions.push(await ask(bed.producer, room, i, 1));
        await Bun.sleep(5);
      }
    })();
    held = await first.waitFor("a held transaction", (l) => l.event === "transaction-held");
    const committed = new Set(readAnswers(bed.brokers, room, true).map((r) => r.replyTo));
    open = readAnswers(bed.brokers, room, false)
      .map((r) => r.replyTo ?? "")
      .filter((q) => !committed.has(q));
    first.proc.kill("SIGKILL");
    await asking;
  } finally {
    first.proc.kill("SIGKILL");
  }
  expect(await first.exited).not.toBe(0);
  expect(first.proc.signalCode).toBe("SIGKILL");
  // Proof the kill landed with answers in flight: in the log, not committed.
  expect(open.length).toBeGreaterThanOrEqual(Number(held?.answers));

  const second = new BotProcess(bed.brokers, [...args, "--movies", movies]);
  let answers: RoomRecord[] = [];
  const sentinels: string[] = [];
  try {
    sentinels.push(...(await askSentinels(bed.producer, room, 1)));
    answers = await answersAfterSentinels(bed.brokers, room, sentinels);
  } finally {
    second.proc.kill("SIGTERM");
  }
  expect(await second.exited).toBe(0);
  expect(answerTally(answers, [...questions, ...sentinels])).toEqual(NO_SHORTFALL);
  const answered = new Set(answers.map((a) => a.replyTo));
  for (const q of open) expect(answered.has(q)).toBe(true);
  for (const answer of answers) expect(answer.message).toBe(ANSWER);
}, 90_000);

test("replicas that share an --instance name are independent members: each answers its share, none twice", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-f-${id}`;
  created.push(room);
  await createRoom(bed.kafka, room, 2);
  const args = ["--rooms", room, "--group", `bot-test-${id}`, "--instance", "same", "--movies", movies];
  const first = new BotProcess(bed.brokers, args);
  const second = new BotProcess(bed.brokers, args);
  const questions: string[] = [];
  let answers: RoomRecord[] = [];
  try {
    await first.waitFor("one partition", (l) => l.event === "assigned" && l.partitions === 1);
    await second.waitFor("one partition", (l) => l.event === "assigned" && l.partitions === 1);
    for (let i = 0; i < 20; i++) questions.push(await ask(bed.producer, room, i, 2));
    const sentinels = await askSentinels(bed.producer, room, 2);
    questions.push(...sentinels);
    answers = await answersAfterSentinels(bed.brokers, room, sentinels);
  } finally {
    first.proc.kill("SIGTERM");
    second.proc.kill("SIGTERM");
  }
  expect([await first.exited, await second.exited]).toEqual([0, 0]);
  expect(answerTally(answers, questions)).toEqual(NO_SHORTFALL);
  expect(first.count("fenced") + second.count("fenced")).toBe(0);
}, 60_000);
