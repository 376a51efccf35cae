import { expect, test } from "bun:test";
// @ts-expect-error kafkajs's internals carry no types
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";
import { quietNegativeTimeouts } from "./quiet-timers.ts";

interface FakeQueue {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
}

const schedule = (queue: FakeQueue) =>
  (
    RequestQueue as { prototype: { scheduleCheckPendingRequests(this: FakeQueue): void } }
  ).prototype.scheduleCheckPendingRequests.call(queue);

test("a request queue with nothing pending schedules no check (kafkajs's own spins a timer forever)", () => {
  quietNegativeTimeouts();
  const queue: FakeQueue = {
    throttledUntil: -1,
    pending: [],
    throttleCheckTimeoutId: null,
    checkPendingRequests: () => {
      throw new Error("nothing was pending");
    },
  };
  schedule(queue);
  expect(queue.throttleCheckTimeoutId).toBeNull();
});

test("a request queue with a request pending checks it again", async () => {
  quietNegativeTimeouts();
  let checked!: () => void;
  const check = new Promise<void>((resolve) => {
    checked = resolve;
  });
  const queue: FakeQueue = {
    throttledUntil: -1,
    pending: [{}],
    throttleCheckTimeoutId: null,
    checkPendingRequests: checked,
  };
  schedule(queue);
  expect(queue.throttleCheckTimeoutId).not.toBeNull();
  await check;
  expect(queue.throttleCheckTimeoutId).toBeNull();
});
