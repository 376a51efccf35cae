/**
 * kafkajs schedules its request-throttle check with a negative delay after every response
 * (throttledUntil starts at -1), and Bun prints a TimeoutNegativeWarning for it onto stderr —
 * across a chat screen. Worse, the check reschedules itself whether or not a request waits, so
 * every connection spins a timer forever once it has had a response (a chat in 20 rooms has
 * dozens of connections). The check only ever sends pending requests, and queueing a request
 * schedules it again, so with nothing pending there is nothing to schedule. Only that one kafkajs
 * method is replaced (its logic otherwise kept, the delay clamped at 0); the process's
 * setTimeout stays as it is.
 */
// @ts-expect-error kafkajs's internals carry no types
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";

interface Queue {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
}

/** kafkajs's own interval for a queue that holds requests (CHECK_PENDING_REQUESTS_INTERVAL). */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

let quiet = false;

export function quietNegativeTimeouts(): void {
  if (quiet) return;
  quiet = true;
  (
    RequestQueue as { prototype: { scheduleCheckPendingRequests(this: Queue): void } }
  ).prototype.scheduleCheckPendingRequests = function (this: Queue) {
    let scheduleAt = this.throttledUntil - Date.now();
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      Math.max(0, scheduleAt),
    );
  };
}
