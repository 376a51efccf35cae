/**
 * Questions written inside transactions, against the real broker: the bot reads its rooms
 * read_uncommitted, so it answers a plain question that follows another writer's still-open
 * transaction without waiting for it (read_committed, it could not see that question until the
 * transaction ended), and it answers no question written inside a transaction — committed,
 * aborted or open (lib/bot/read-batch.ts gives the rule and why).
 */
import { expect, test } from "bun:test";
import { encode, textRecord } from "../../lib/wire.ts";
import { answersAfterSentinels, BotProcess, createRoom, say, useTestBed } from "./support.ts";

const bed = useTestBed();
const { created } = bed;

test("questions inside transactions are not answered; a plain question behind an open one is answered at once", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-txn-${id}`;
  created.push(room);
  await createRoom(bed.kafka, room);
  const writer = bed.kafka.producer({
    transactionalId: `bot-test-writer-${id}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await writer.connect();
  const bot = new BotProcess(bed.brokers, [
    "--rooms",
    room,
    "--group",
    `bot-test-${id}`,
    "--rate-limit",
    "off",
  ]);
  const inTransaction = async (sender: string, end: "commit" | "abort" | "open") => {
    const transaction = await writer.transaction();
    const value = encode({ ...textRecord(sender, "@bot 기생충 | 감독", new Date()), end: false });
    const [meta] = await transaction.send({ topic: room, messages: [{ value, partition: 0 }] });
    if (end === "commit") await transaction.commit();
    if (end === "abort") await transaction.abort();
    return { offset: meta?.baseOffset, transaction };
  };
  try {
    await bot.serving(room);
    const committed = await inTransaction("committer", "commit");
    const aborted = await inTransaction("aborter", "abort");
    const open = await inTransaction("opener", "open");
    const plain = await say(bed.producer, room, "plain", "@bot 기생충 | 감독");
    // The bot logs an answer once its transaction committed; the writer's transaction is still open.
    const answered = await bot.waitFor(`the answer to ${plain}`, (l) => l.event === "answer");
    expect(`${room}/0/${answered.offset}`).toBe(plain);
    await open.transaction.commit();
    const answers = await answersAfterSentinels(bed.brokers, room, [plain]);
    expect(answers.map((answer) => answer.replyTo)).toEqual([plain]);
    expect(bot.count("answer")).toBe(1);
    // The three written inside transactions came before the plain one, in the same partition.
    expect(
      [committed.offset, aborted.offset, open.offset].map(Number).every((o) => o < Number(answered.offset)),
    ).toBe(true);
  } finally {
    bot.proc.kill("SIGTERM");
    await writer.disconnect();
  }
  expect(await bot.exited).toBe(0);
}, 60_000);
