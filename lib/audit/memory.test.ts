import { expect, test } from "bun:test";
import { MemoryBudget } from "./memory.ts";

/** A budget of 100 with a slack of 20 over scripted measurements; the collections it made, by measurement. */
function run(before: number[], after: (collectedAt: number) => number): number[] {
  const collected: number[] = [];
  let now = 0;
  const budget = new MemoryBudget(
    100,
    20,
    () => now,
    () => {
      collected.push(now);
      now = after(now);
    },
  );
  for (const used of before) {
    now = used;
    budget.check();
  }
  return collected;
}

test("under the budget nothing is collected; past it, once each time", () => {
  expect(run([50, 90, 100], () => 10)).toEqual([]);
  expect(run([50, 101, 60, 130, 40], () => 30)).toEqual([101, 130]);
});

test("a collection that cannot get under the budget moves the next one out by the slack, not to every check", () => {
  // Live data of 150 stays after every collection: the next is due past 170, then past 170 again.
  expect(run([160, 150, 160, 170, 171, 165, 190], () => 150)).toEqual([160, 171, 190]);
});

test("once a collection gets under the budget again, the budget rules again", () => {
  expect(run([160, 165, 175, 101], (at) => (at >= 175 ? 40 : 150))).toEqual([160, 175, 101]);
});
