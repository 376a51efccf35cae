/**
 * The bot's start and stop around its transactions (issue 12's review findings):
 * - a bot killed after storing its start positions but before its first commit skips nothing:
 *   it reads from exactly the position it stored, so the next start answers what it had read;
 * - SIGTERM with answers in flight that cannot commit within the stop deadline exits 1 and
 *   says how many were not committed; the next start answers them, once.
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
const bed = useTestBed();
const { created } = bed;

/** Answers that are in the log but not committed (a transaction open or aborted). */
function uncommitted(room: string): string[] {
  const committed = new Set(readAnswers(bed.brokers, room, true).map((r) => r.replyTo));
  return readAnswers(bed.brokers, room, false)
    .map((r) => r.replyTo ?? "")
    .filter((q) => !committed.has(q));
}

async function committedOffset(groupId: string, topic: string): Promise<number> {
  const admin = bed.kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(entry?.partitions[0]?.offset);
  } finally {
    await admin.disconnect();
  }
}

const offsetOf = (question: string) => Number(question.split("/").at(-1));

test("killed after storing its start position, before its first commit: no question is skipped", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-s-${id}`;
  const group = `bot-test-${id}`;
  created.push(room);
  await createRoom(bed.kafka, room);
  const questions = [await ask(bed.producer, room, 0, 1)]; // history: before the first start, never answered
  // Questions keep coming while the bot starts, so some arrive while it takes the room over.
  let streaming = true;
  const stream = (async () => {
    for (let i = 1; streaming; i++) questions.push(await ask(bed.producer, room, i, 1));
  })();
  const args = ["--rooms", room, "--group", group, "--rate-limit", "off", "--movies", movies];
  const first = new BotProcess(bed.brokers, args, { DCHAT_BOT_TEST_HOLD: "1:120000" });
  let start = Number.NaN;
  let open: string[] = [];
  let held: LogLine | undefined;
  try {
    await first.serving(room);
    start = await committedOffset(group, room);
    held = await first.waitFor("its first transaction held", (l) => l.event === "transaction-held");
    open = uncommitted(room);
    first.proc.kill("SIGKILL");
  } finally {
    first.proc.kill("SIGKILL");
    streaming = false;
    await stream;
  }
  await first.exited;
  expect(first.proc.signalCode).toBe("SIGKILL");
  expect(open.length).toBeGreaterThanOrEqual(Number(held?.answers));
  // What the killed bot had read starts exactly at the position it stored.
  expect(Math.min(...open.map(offsetOf))).toBe(start);

  const second = new BotProcess(bed.brokers, args);
  let answers: RoomRecord[] = [];
  const sentinels: string[] = [];
  try {
    sentinels.push(...(await askSentinels(bed.producer, room, 1)));
    answers = await answersAfterSentinels(bed.brokers, room, sentinels);
  } finally {
    second.proc.kill("SIGTERM");
  }
  expect(await second.exited).toBe(0);
  const due = [...questions.filter((q) => offsetOf(q) >= start), ...sentinels];
  expect(answerTally(answers, due)).toEqual(NO_SHORTFALL);
  const answered = new Set(answers.map((a) => a.replyTo));
  for (const q of open) expect(answered.has(q)).toBe(true);
  expect(answered.has(questions[0] ?? "")).toBe(false);
}, 90_000);

test("SIGTERM while answers cannot commit within the deadline: exit 1 saying so; the next start answers them once", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-t-${id}`;
  created.push(room);
  await createRoom(bed.kafka, room);
  const args = ["--rooms", room, "--group", `bot-test-${id}`, "--movies", movies];
  const first = new BotProcess(bed.brokers, args, { DCHAT_BOT_TEST_HOLD: "1:120000" });
  const questions: string[] = [];
  try {
    await first.serving(room);
    questions.push(await ask(bed.producer, room, 0, 1));
    await first.waitFor("the transaction held", (l) => l.event === "transaction-held");
    first.proc.kill("SIGTERM");
    await first.exited;
  } finally {
    first.proc.kill("SIGKILL");
  }
  expect(await first.exited).toBe(1);
  expect(first.stderr).toEqual([
    "dchat bot: stopped after 4500 ms with 1 answers not committed; their questions are answered at the next start",
  ]);
  expect(first.logs.find((l) => l.event === "stop-deadline")?.uncommittedAnswers).toBe(1);

  const second = new BotProcess(bed.brokers, args);
  let answers: RoomRecord[] = [];
  try {
    questions.push(...(await askSentinels(bed.producer, room, 1)));
    answers = await answersAfterSentinels(bed.brokers, room, questions.slice(-1));
  } finally {
    second.proc.kill("SIGTERM");
  }
  expect(await second.exited).toBe(0);
  expect(answerTally(answers, questions)).toEqual(NO_SHORTFALL);
}, 60_000);
