/**
 * kafkajs's own Runner and fetch manager over a consumer group stand-in (the seam: which brokers
 * there are and how long a fetch takes), stopped while the fetch manager rebuilds its fetchers.
 */
import { expect, test } from "bun:test";
// @ts-expect-error kafkajs's internals carry no types
import Runner from "kafkajs/src/consumer/runner.js";
// @ts-expect-error kafkajs's internals carry no types
import { createLogger, LEVELS } from "kafkajs/src/loggers/index.js";
import { endFetchersAfterStop } from "./stopped-fetch.ts";

/** Past this many broker-list reads after the stop, the fetchers spin (the read then throws, ending it). */
const SPINNING = 10_000;

test("a consumer stopped while its fetchers are rebuilt stops: no fetcher spins on after it", async () => {
  endFetchersAfterStop();
  let nodes = [1, 2];
  let stopped = false;
  let readsAfterChange = 0;
  let readsAfterStop = 0;
  let releaseBroker2 = () => {};
  const broker2Fetch = new Promise<void>((resolve) => {
    releaseBroker2 = resolve;
  });
  const consumerGroup = {
    groupId: "g",
    memberId: "m",
    connect: async () => {},
    joinAndSync: async () => {},
    leave: async () => {},
    heartbeat: async () => {},
    getNodeIds: () => {
      if (nodes.length === 1) readsAfterChange++;
      if (stopped && ++readsAfterStop > SPINNING) throw new Error("spinning");
      return nodes;
    },
    // Broker 2 holds its fetch (as a broker does up to maxWaitTime when nothing is new) until released.
    fetch: (nodeId: number) => (nodeId === 2 ? broker2Fetch : Bun.sleep(5)).then(() => []),
  };
  const runner = new Runner({
    logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} }),
    consumerGroup,
    instrumentationEmitter: { emit: () => {} },
    concurrency: 1,
    eachBatch: async () => {},
    heartbeatInterval: 1000,
    onCrash: () => {},
    retry: { retries: 3, initialRetryTime: 10 },
  });
  await runner.start();
  // Broker 2 leaves the metadata: broker 1's fetcher sees it at its next fetch, and the fetch
  // manager then waits for broker 2's fetch before it builds new fetchers.
  nodes = [1];
  while (readsAfterChange === 0) await Bun.sleep(1);
  // The stop lands in that wait; broker 2's fetch returns after it.
  stopped = true;
  const stopping = runner.stop();
  releaseBroker2();
  await stopping;
  expect(readsAfterStop).toBeLessThan(100);
  expect(runner.consuming).toBe(false);
});
