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
  let readsAfterStop = 0;
  const consumerGroup = {
    groupId: "g",
    memberId: "m",
    connect: async () => {},
    joinAndSync: async () => {},
    leave: async () => {},
    heartbeat: async () => {},
    getNodeIds: () => {
      if (stopped && ++readsAfterStop > SPINNING) throw new Error("spinning");
      return nodes;
    },
    // Broker 2 holds its fetch (as a broker does up to maxWaitTime when nothing is new).
    fetch: (nodeId: number) => Bun.sleep(nodeId === 2 ? 200 : 5).then(() => []),
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
  await Bun.sleep(50);
  // Broker 2 leaves the metadata: broker 1's fetcher sees it first and the fetch manager waits
  // for broker 2's fetch before it builds new fetchers; the stop lands in that wait.
  nodes = [1];
  await Bun.sleep(20);
  stopped = true;
  await runner.stop();
  expect(readsAfterStop).toBeLessThan(100);
  expect(runner.consuming).toBe(false);
});
