/**
 * The takeover's order with fakes at its seams: every slot's producer is initialised (fencing
 * the slot's previous owner) before the group's offsets are read, and start positions go into
 * a transaction of their own slot.
 */
import { expect, test } from "bun:test";
import { isKafkaFailure, KafkaFailure } from "../kafka/index.ts";
import { slotOf } from "./slots.ts";
import { type TakeoverSeams, takeOver } from "./takeover.ts";
import type { Position, TransactionPipeline } from "./transactions.ts";

function fakes(
  committed: Record<string, string>,
  ends: Record<string, { low: string; high: string }[]>,
  unanswered: string[] = [],
) {
  const events: string[] = [];
  const stored = new Map<number, Position[]>();
  let current = true;
  const seams: TakeoverSeams = {
    admin: {
      committed: async (_groupId, topics) => {
        events.push("fetchOffsets");
        return topics.flatMap((topic) =>
          (ends[topic] ?? []).flatMap((_, partition) => {
            if (unanswered.includes(`${topic}/${partition}`)) return [];
            return [{ topic, partition, offset: committed[`${topic}/${partition}`] ?? "-1" }];
          }),
        );
      },
      ends: async (topic) =>
        (ends[topic] ?? []).map(({ low, high }, partition) => ({ partition, low, high })),
    },
    groupId: "g",
    fromStart: (topic) => topic === "late",
    openPipeline: async (slot) => {
      await Bun.sleep(1);
      events.push(`open ${slot}`);
      return {
        storePositions: async (positions: Position[]) => {
          stored.set(slot, positions);
          return { kind: "committed" };
        },
      } as unknown as TransactionPipeline;
    },
    current: () => current,
  };
  return { seams, events, stored, supersede: () => (current = false) };
}

test("producers first, then final offsets; missing start positions stored in their own slot", async () => {
  const ends = {
    early: [
      { low: "0", high: "40" },
      { low: "5", high: "9" },
    ],
    late: [{ low: "3", high: "12" }],
  };
  const { seams, events, stored } = fakes({ "early/0": "17" }, ends);
  const taken = await takeOver({ early: [0, 1], late: [0] }, seams, new Map());
  if (taken === undefined || isKafkaFailure(taken)) throw new Error(`not taken over: ${taken?.detail}`);
  const opens = events.filter((e) => e.startsWith("open"));
  expect(events.indexOf("fetchOffsets")).toBe(opens.length);
  expect(new Set(opens)).toEqual(
    new Set([`open ${slotOf("early", 0)}`, `open ${slotOf("early", 1)}`, `open ${slotOf("late", 0)}`]),
  );
  const byPartition = [...taken.positions].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition,
  );
  expect(byPartition).toEqual([
    { topic: "early", partition: 0, offset: "17" },
    { topic: "early", partition: 1, offset: "9" },
    { topic: "late", partition: 0, offset: "3" },
  ]);
  expect(taken.stored).toBe(2);
  expect(stored.get(slotOf("early", 1))).toEqual([{ topic: "early", partition: 1, offset: "9" }]);
  expect(stored.get(slotOf("late", 0))).toEqual([{ topic: "late", partition: 0, offset: "3" }]);
  expect(stored.has(slotOf("early", 0))).toBe(false);
});

test("a takeover overtaken by a newer assignment reads no offsets and hands back what it opened", async () => {
  const { seams, events, supersede } = fakes({}, { room: [{ low: "0", high: "1" }] });
  const opened = new Map<number, TransactionPipeline>();
  const pending = takeOver({ room: [0] }, seams, opened);
  supersede();
  expect(await pending).toBeUndefined();
  expect(events).not.toContain("fetchOffsets");
  expect([...opened.keys()]).toEqual([slotOf("room", 0)]);
});

test("a producer that cannot be initialised fails the takeover before any offset is read", async () => {
  const { seams, events } = fakes({}, { room: [{ low: "0", high: "1" }] });
  const refused = new KafkaFailure("unreachable", true, "refused");
  const taken = await takeOver({ room: [0] }, { ...seams, openPipeline: async () => refused }, new Map());
  expect(taken).toBe(refused);
  expect(events).not.toContain("fetchOffsets");
});

test("a partition the coordinator gave no answer for fails the takeover (tried again), never starts at its end", async () => {
  const ends = { room: [{ low: "0", high: "40" }] };
  const { seams, stored } = fakes({}, ends, ["room/0"]);
  const taken = await takeOver({ room: [0] }, seams, new Map());
  if (!isKafkaFailure(taken)) throw new Error(`taken over: ${JSON.stringify(taken)}`);
  expect(taken.retriable).toBe(true);
  expect(taken.detail).toContain("room/0");
  expect(stored.size).toBe(0);
});
