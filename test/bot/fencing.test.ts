/**
 * Zombie replicas are fenced (issue 12): replica A is frozen with SIGSTOP while it holds a
 * transaction open — answers produced, not committed, proven by a reader that sees them
 * read_uncommitted but not read_committed — for longer than the group's session timeout
 * (10 s). Another replica takes its slots over and answers; A is resumed; its held
 * transaction cannot commit (fenced), A says so in its log and rejoins the group; every
 * question, those A held included, has exactly one committed answer.
 */
import { expect, test } from "bun:test";
import {
  answersAfterSentinels,
  answersWhen,
  answerTally,
  ask,
  askSentinels,
  BotProcess,
  createRoom,
  NO_SHORTFALL,
  readAnswers,
  useTestBed,
} from "./support.ts";

const movies = `${import.meta.dir}/../fixtures/kobis/flatmovieList.json`;
const SESSION_TIMEOUT_MS = 10_000;
const PARTITIONS = 3;
const bed = useTestBed();
const { created } = bed;

/**
 * `companions` replicas run beside A from the start; a new replica joins while A is frozen
 * (with none beside A, it takes everything over; with one, the join is a rebalance among
 * three members in which A cannot take part).
 */
async function frozenReplica(companions: number) {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-z-${id}`;
  created.push(room);
  await createRoom(bed.kafka, room, PARTITIONS);
  const args = (instance: string) => [
    "--rooms",
    room,
    "--group",
    `bot-test-${id}`,
    "--rate-limit",
    "off",
    "--movies",
    movies,
    "--instance",
    instance,
  ];
  // A holds its 3rd transaction with answers open for 3 s before committing it.
  const a = new BotProcess(bed.brokers, args("a"), { DCHAT_BOT_TEST_HOLD: "3:3000" });
  const bots = [a];
  const questions: string[] = [];
  try {
    await a.serving(room);
    for (let i = 0; i < companions; i++) {
      const other = new BotProcess(bed.brokers, args(`c${i}`));
      bots.push(other);
      await other.waitFor("a share of the slots", (l) => l.event === "assigned" && Number(l.partitions) > 0);
    }
    if (companions > 0)
      await a.waitFor(
        "its share after the rebalance",
        (l) => l.event === "assigned" && Number(l.partitions) < 3,
      );

    // 120 questions from 120 senders at ~40/s; A is frozen while its held transaction is open.
    let frozenAt = 0;
    let openAnswers: string[] = [];
    const streaming = (async () => {
      for (let i = 0; i < 120; i++) {
        questions.push(await ask(bed.producer, room, i, PARTITIONS));
        await Bun.sleep(25);
      }
    })();
    const held = await a.waitFor("a held transaction", (l) => l.event === "transaction-held");
    a.proc.kill("SIGSTOP");
    frozenAt = Date.now();
    const committedNow = new Set(readAnswers(bed.brokers, room, true).map((r) => r.replyTo));
    openAnswers = readAnswers(bed.brokers, room, false)
      .map((r) => r.replyTo ?? "")
      .filter((q) => !committedNow.has(q));
    // Proof that A froze with the transaction open: its answers are in the log, uncommitted.
    expect(openAnswers.length).toBeGreaterThanOrEqual(Number(held.answers));

    const joiner = new BotProcess(bed.brokers, args("joiner"));
    bots.push(joiner);
    await streaming;
    // The survivors take A's slots over once A's session has expired, and answer what A held.
    await answersWhen(bed.brokers, room, (answers) => {
      const answered = new Set(answers.map((r) => r.replyTo));
      return questions.every((q) => answered.has(q));
    });
    const frozenFor = Date.now() - frozenAt;
    expect(frozenFor).toBeGreaterThan(SESSION_TIMEOUT_MS);

    a.proc.kill("SIGCONT");
    // The held transaction's commit is refused (other slots' transactions in flight may be too).
    const fenced = await a.waitFor(
      `fenced on slot ${held.slot}`,
      (l) => l.event === "fenced" && l.slot === held.slot,
    );
    // A recovers: it rejoins and gets a share of the slots again.
    const fencedAt = a.logs.indexOf(fenced);
    await a.waitFor("rejoined", (l) => l.event === "assigned" && a.logs.indexOf(l) > fencedAt);

    const sentinels = await askSentinels(bed.producer, room, PARTITIONS);
    const all = [...questions, ...sentinels];
    const answers = await answersAfterSentinels(bed.brokers, room, sentinels, 40_000);
    const joinerAnswers = joiner.count("answer");
    const codes = await Promise.all(bots.map((bot) => bot.stop()));
    return {
      answers,
      all,
      openAnswers,
      joinerAnswers,
      codes,
      dump: () => bots.map((b) => b.dump()).join("\n--\n"),
    };
  } finally {
    for (const bot of bots) if (bot.proc.exitCode === null) bot.proc.kill("SIGKILL");
  }
}

test("a replica frozen past its session timeout with a transaction open is fenced; every question answered once", async () => {
  const run = await frozenReplica(0);
  expect(answerTally(run.answers, run.all)).toEqual(NO_SHORTFALL);
  // What A held was answered, by the replica that took over.
  const answered = new Set(run.answers.map((r) => r.replyTo));
  for (const q of run.openAnswers) expect(answered.has(q)).toBe(true);
  expect(run.joinerAnswers).toBeGreaterThan(0);
  expect(run.codes).toEqual([0, 0]);
}, 120_000);

test("frozen during a rebalance caused by a third replica joining: fenced, every question answered once", async () => {
  const run = await frozenReplica(1);
  expect(answerTally(run.answers, run.all)).toEqual(NO_SHORTFALL);
  const answered = new Set(run.answers.map((r) => r.replyTo));
  for (const q of run.openAnswers) expect(answered.has(q)).toBe(true);
  expect(run.joinerAnswers).toBeGreaterThan(0);
  expect(run.codes).toEqual([0, 0, 0]);
}, 120_000);
