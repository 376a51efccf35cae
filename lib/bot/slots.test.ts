import { expect, test } from "bun:test";
import { assignSlots, SLOTS, slotOf, type TopicPartition } from "./slots.ts";

const rooms = (count: number, partitions: number): TopicPartition[] =>
  Array.from({ length: count }, (_, r) =>
    Array.from({ length: partitions }, (_, partition) => ({ topic: `room-${r}`, partition })),
  ).flat();

function ownerOfSlot(assignment: Map<string, Record<string, number[]>>): Map<number, Set<string>> {
  const owners = new Map<number, Set<string>>();
  for (const [member, topics] of assignment)
    for (const [topic, list] of Object.entries(topics))
      for (const partition of list) {
        const slot = slotOf(topic, partition);
        owners.set(slot, new Set([...(owners.get(slot) ?? []), member]));
      }
  return owners;
}

test("a slot is a stable function of topic and partition, and a room's partitions take different slots", () => {
  expect(slotOf("team2", 0)).toBe(slotOf("team2", 0));
  const slots = Array.from({ length: SLOTS }, (_, p) => slotOf("team2", p));
  expect(new Set(slots).size).toBe(SLOTS);
  for (const slot of slots) expect(slot >= 0 && slot < SLOTS).toBe(true);
});

test("every partition goes to exactly one member, and every slot to exactly one member", () => {
  const partitions = rooms(40, 3);
  const assignment = assignSlots(["m-b", "m-a", "m-c"], partitions);
  const given = [...assignment.values()].flatMap((topics) =>
    Object.entries(topics).flatMap(([topic, list]) => list.map((p) => `${topic}/${p}`)),
  );
  expect(given.sort()).toEqual(partitions.map((tp) => `${tp.topic}/${tp.partition}`).sort());
  for (const owners of ownerOfSlot(assignment).values()) expect(owners.size).toBe(1);
});

test("slots are spread: no member idle while another holds two slots, loads within one slot's size", () => {
  const partitions = rooms(10, 1);
  const assignment = assignSlots(["a", "b"], partitions);
  const loads = [...assignment.values()].map((topics) =>
    Object.values(topics).reduce((sum, list) => sum + list.length, 0),
  );
  const biggestSlot = Math.max(
    ...[...new Set(partitions.map((tp) => slotOf(tp.topic, tp.partition)))].map(
      (slot) => partitions.filter((tp) => slotOf(tp.topic, tp.partition) === slot).length,
    ),
  );
  expect(Math.abs((loads[0] ?? 0) - (loads[1] ?? 0))).toBeLessThanOrEqual(biggestSlot);
  // A room of two partitions is always split between two replicas.
  const split = assignSlots(["a", "b"], rooms(1, 2));
  expect([...split.values()].map((topics) => topics["room-0"]?.length)).toEqual([1, 1]);
});

test("more members than slots: the extra ones get nothing, and the answer does not depend on member order", () => {
  const members = Array.from({ length: SLOTS + 4 }, (_, i) => `m${String(i).padStart(2, "0")}`);
  const partitions = rooms(50, 4);
  const one = assignSlots(members, partitions);
  const other = assignSlots([...members].reverse(), partitions);
  expect([...one]).toEqual([...other]);
  const busy = [...one.values()].filter((topics) => Object.keys(topics).length > 0);
  expect(busy.length).toBeLessThanOrEqual(SLOTS);
});

test("slots are pinned: a room's slot names its transactional id, so it must not move between versions", () => {
  expect([
    slotOf("team2", 0),
    slotOf("team2", 3),
    slotOf("팀2", 0),
    slotOf("bench-rooms-ab12cd34-7", 0),
  ]).toEqual([10, 13, 7, 11]);
});
