/**
 * Slot ownership across assignments, with fakes at its seams (writers, admin, member): a slot's
 * partitions are resumed only once it is taken over, an assignment overtaken by a newer one
 * starts nothing, and a membership's end retires every producer it opened.
 */
import { expect, test } from "bun:test";
import type { GroupMember } from "../kafka/group.ts";
import type { KafkaFailure } from "../kafka/index.ts";
import type { Position, TransactionalWriter } from "../kafka/transaction.ts";
import { BotMetrics } from "./metrics.ts";
import { type AssignmentContext, SlotOwnership } from "./ownership.ts";
import { slotOf, transactionalId } from "./slots.ts";

function fakes(openMs = 1) {
  const events: string[] = [];
  const failures: unknown[] = [];
  const writer = (id: string): TransactionalWriter => ({
    commit: async ({ positions }) => {
      events.push(`commit ${id} ${positions.map((p) => `${p.topic}/${p.partition}@${p.offset}`).join(",")}`);
      return undefined;
    },
    disconnect: async () => void events.push(`disconnect ${id}`),
  });
  const ownership = new SlotOwnership({
    groupId: "g",
    log: (_level, event) => events.push(`log ${event}`),
    metrics: new BotMetrics(),
    openWriter: async (id): Promise<TransactionalWriter | KafkaFailure> => {
      await Bun.sleep(openMs);
      events.push(`open ${id}`);
      return writer(id);
    },
  });
  const started: Position[][] = [];
  let onStart = () => {};
  /** Resolves at the next startAt: the sentinel that a takeover is complete. */
  const nextStart = () => new Promise<void>((resolve) => (onStart = resolve));
  const member: GroupMember = {
    startAt: (positions) => {
      started.push(positions);
      onStart();
    },
    pause: () => {},
    leave: async () => {},
    memberId: "m",
  };
  const context: AssignmentContext = {
    member,
    admin: {
      committed: async (_group, topics) => topics.map((topic) => ({ topic, partition: 0, offset: "7" })),
      ends: async () => [{ partition: 0, low: "0", high: "9" }],
    },
    fromStart: () => false,
    fail: (error) => void failures.push(error),
  };
  return { ownership, events, started, nextStart, context, failures };
}

const id = (topic: string) => transactionalId("g", slotOf(topic, 0));

test("an assignment is resumed at its committed offsets once its slots' producers are open", async () => {
  const t = fakes();
  const started = t.nextStart();
  t.ownership.assigned({ room: [0] }, t.context);
  expect(t.ownership.pipelineFor("room", 0)).toBeUndefined();
  await started;
  expect(t.started).toEqual([[{ topic: "room", partition: 0, offset: "7" }]]);
  expect(t.events.indexOf(`open ${id("room")}`)).toBeLessThan(t.events.indexOf("log assigned"));
  expect(t.ownership.pipelineFor("room", 0)?.slot).toBe(slotOf("room", 0));
  expect(t.failures).toEqual([]);
});

test("an assignment overtaken by a newer one starts nothing; the newer one retires its producers first", async () => {
  const t = fakes(10);
  const started = t.nextStart();
  t.ownership.assigned({ old: [0] }, t.context);
  t.ownership.assigned({ new: [0] }, t.context);
  // Takeovers run one after the other: once the newer has started, the older is over.
  await started;
  expect(t.started).toEqual([[{ topic: "new", partition: 0, offset: "7" }]]);
  expect(t.ownership.pipelineFor("old", 0)).toBeUndefined();
  expect(t.events.indexOf(`disconnect ${id("old")}`)).toBeLessThan(t.events.indexOf(`open ${id("new")}`));
  // Only the newer one was taken over (run.ts: a membership that took one over was serving).
  expect(t.ownership.takeovers).toBe(1);
});

test("the end of a membership retires every slot", async () => {
  const t = fakes();
  const started = t.nextStart();
  t.ownership.assigned({ room: [0] }, t.context);
  await started;
  await t.ownership.release();
  expect(t.events).toContain(`disconnect ${id("room")}`);
  expect(t.ownership.pipelineFor("room", 0)).toBeUndefined();
  expect(t.ownership.pendingAnswers()).toBe(0);
});
