/**
 * How long one of the bot's transactions takes when N transactional ids run theirs back to back
 * at once, as the bot's busy slots do: each id commits one consumer offset and one record of a
 * bot answer's size per transaction, through the bot's own path (lib/kafka/transaction.ts), on
 * its own one-partition topic, for a few seconds. Printed per N: transactions/s in all, the
 * cycle p50/p99 and where it went, and the cycle beside the single id's (the reference: nothing
 * but the broker's round trips). This is what sets how long a question waits at 1,000/s: about
 * one cycle of its slot in flight, then its own.
 *
 *   bun bench/bot/transactions.ts [--ids 1,2,4,8] [--seconds 4] [--brokers host:port]
 */
import { parseArgs } from "node:util";
import { rememberCoordinators } from "../../lib/kafka/coordinators.ts";
import { isKafkaFailure, kafkajsOf, openKafka } from "../../lib/kafka/index.ts";
import { openTransactional, type TransactionSplit } from "../../lib/kafka/transaction.ts";
import { brokerAddress, uniqueName } from "../../test/support/broker.ts";

const { values } = parseArgs({
  options: { ids: { type: "string" }, seconds: { type: "string" }, brokers: { type: "string" } },
});
const counts = (values.ids ?? "1,2,4,8").split(",").map(Number);
const seconds = Number(values.seconds ?? 4);
const brokers = values.brokers ?? (await brokerAddress());
const client = openKafka({ brokers: [brokers], clientId: "bench-bot-transactions", ssl: false });
// As the bot does: a coordinator lookup is trusted for 1 s.
await rememberCoordinators(1000);
const admin = kafkajsOf(client).admin();
await admin.connect();
const value = Buffer.alloc(133);

function percentiles(values: number[]): (p: number) => number {
  const sorted = [...values].sort((a, b) => a - b);
  return (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** N ids committing back to back for `seconds`: every cycle's time and split. */
async function run(ids: number): Promise<{ cycles: number[]; splits: TransactionSplit[] }> {
  const tag = uniqueName("bench-bot-txn");
  const topics = Array.from({ length: ids }, (_, i) => `${tag}-${i}`);
  await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: 1 })),
    waitForLeaders: true,
  });
  const cycles: number[] = [];
  const splits: TransactionSplit[] = [];
  const loop = async (topic: string) => {
    const writer = await openTransactional(client, topic);
    if (isKafkaFailure(writer)) throw new Error(`${topic}: ${writer.detail}`);
    const end = performance.now() + seconds * 1000;
    for (let offset = 1; performance.now() < end; offset++) {
      const began = performance.now();
      const failure = await writer.commit({
        groupId: tag,
        positions: [{ topic, partition: 0, offset: String(offset) }],
        records: [{ topic, partition: 0, value, headers: {} }],
        timed: (split) => splits.push(split),
      });
      if (failure !== undefined) throw new Error(`${topic}: ${failure.detail}`);
      cycles.push(performance.now() - began);
    }
    await writer.disconnect();
  };
  try {
    await Promise.all(topics.map(loop));
  } finally {
    await admin.deleteTopics({ topics });
  }
  return { cycles, splits };
}

console.log(
  `bot transactions (offsets + one ${value.length} B record + commit), back to back on N ids for ${seconds} s each`,
);
let alone = Number.NaN;
for (const ids of counts) {
  const { cycles, splits } = await run(ids);
  const cycle = percentiles(cycles);
  const split = (key: "offsetsMs" | "recordsMs" | "commitMs") =>
    percentiles(splits.map((s) => s[key]))(50).toFixed(1);
  if (ids === 1) alone = cycle(50);
  console.log(
    `  N=${ids}: ${(cycles.length / seconds).toFixed(0)} transactions/s; cycle ms p50 ${cycle(50).toFixed(1)}  p99 ${cycle(99).toFixed(1)}` +
      ` (p50 offsets ${split("offsetsMs")}, records ${split("recordsMs")}, EndTxn ${split("commitMs")})` +
      (Number.isNaN(alone) ? "" : `; p50 ${(cycle(50) / alone).toFixed(1)}× one id's`),
  );
}
await admin.disconnect();
