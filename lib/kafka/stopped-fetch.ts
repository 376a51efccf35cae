/**
 * kafkajs's fetch manager rebuilds its fetchers (one per broker) when the cluster's broker list
 * changes, after waiting for the old ones to finish their fetch. A consumer stopped during that
 * wait (a broker killed, then the bot leaving the group because a transaction failed) gets the
 * new fetchers all the same, and each asks the stopped runner for records, which answers "none"
 * at once without any I/O: a loop of microtasks that starves the event loop for good. The bot was
 * found so after a killed transaction coordinator (test/cluster/bot.test.ts, about 1 run in 16):
 * 100% of a core, no further log line, deaf to SIGTERM; a profile of the stuck process showed
 * the fetch manager's rebalance check under the microtask queue and nothing else.
 *
 * A stopped runner's fetch fails instead (retriable), which ends those fetchers; the runner's
 * retry then finds it stopped and lets the stop finish. Nothing else changes: a running consumer
 * never asks a stopped runner, since a stop ends the fetchers it knows of at once.
 */
// @ts-expect-error kafkajs's internals carry no types
import Runner from "kafkajs/src/consumer/runner.js";
// @ts-expect-error kafkajs's internals carry no types
import { KafkaJSError } from "kafkajs/src/errors.js";

interface RunnerLike {
  running: boolean;
  fetch(nodeId: number): Promise<unknown[]>;
}

let installed = false;

export function endFetchersAfterStop(): void {
  if (installed) return;
  installed = true;
  const prototype = (Runner as { prototype: RunnerLike }).prototype;
  const fetch = prototype.fetch;
  prototype.fetch = function (this: RunnerLike, nodeId: number) {
    if (!this.running)
      return Promise.reject(
        new KafkaJSError("the consumer stopped while its fetchers were being rebuilt", { retriable: true }),
      );
    return fetch.call(this, nodeId);
  };
}
