/**
 * dchat send on a 3-node cluster: a loop of single sends across a leader kill all succeed (each
 * waits out the election) and land once each; with two of three nodes down (below
 * min.insync.replicas) a send fails within its bound naming the cause, while a chat client
 * queues its message and delivers it once the nodes are back.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { uniqueName } from "../support/broker.ts";
import { readValues } from "../support/client.ts";
import { runDchat } from "../support/dchat.ts";
import { externalCluster, skipped } from "../support/skips.ts";
import { lineClient } from "./line-client.ts";
import { healCluster, leaderOf, nodeDo, nodeIds, restartNode, startCluster, until } from "./support.ts";

let brokers = "";
const messagesOf = (room: string) => readValues(brokers, room).map((v) => JSON.parse(v).message as string);

describe.skipIf(skipped(externalCluster("the cluster fault suite kills brokers")))(
  "send on a 3-node cluster",
  () => {
    beforeAll(() => {
      brokers = startCluster();
    });
    afterEach(() => healCluster());

    test("single sends in a loop across a leader kill -9: every call exits 0 and every record is stored once", async () => {
      const room = uniqueName("cluster-send");
      const send = (text: string) =>
        runDchat(["send", "--room", room, "--user", "cron", "--brokers", brokers, text]);
      const first = await send("m-1");
      expect(first).toMatchObject({ code: 0, stderr: "" });
      const leader = await leaderOf(room);
      nodeDo("kill", leader);
      let restarted = false;
      const restart = restartNode(leader).then(() => {
        restarted = true;
      });
      const results: { code: number; stderr: string; ms: number }[] = [];
      for (let i = 2; !restarted || results.length < 20; i++) {
        const started = performance.now();
        const result = await send(`m-${i}`);
        results.push({ code: result.code, stderr: result.stderr, ms: performance.now() - started });
      }
      await restart;
      expect(results.filter((r) => r.code !== 0)).toEqual([]);
      const expected = Array.from({ length: results.length + 1 }, (_, i) => `m-${i + 1}`);
      expect(messagesOf(room)).toEqual(expected);
      const longest = Math.max(...results.map((r) => r.ms));
      console.log(
        `send across a leader kill: ${results.length} calls after the kill, all exit 0; longest ${(longest / 1000).toFixed(1)} s`,
      );
    }, 180_000);

    test("two of three nodes down: send fails naming the cause; chat queues and delivers when they are back", async () => {
      const room = uniqueName("cluster-isr");
      const chat = lineClient(brokers, room, "ops");
      try {
        await until(
          "the chat client joined",
          () => chat.out.stdout.includes("User [ops] has entered"),
          30_000,
        );
        const leader = await leaderOf(room);
        const down = nodeIds.filter((id) => id !== leader);
        for (const id of down) nodeDo("kill", id);
        chat.say("sent while two are down");
        const failed = await runDchat([
          "send",
          "--room",
          room,
          "--user",
          "cron",
          "--brokers",
          brokers,
          "lost?",
        ]);
        expect(failed.code).toBe(1);
        expect(failed.stderr.trim().split("\n")).toHaveLength(1);
        // Which cause kafkajs meets first depends on which nodes died: the partition's leader
        // refusing for too few in-sync replicas, or a dead node that still coordinates the
        // producer's id. Either is named, never "cannot reach Kafka".
        expect(failed.stderr).toMatch(
          /did not acknowledge the record|too few in-sync replicas|broker \S+ is unreachable \(.*\) and the cluster at \S+ did not work around it/,
        );
        expect(failed.stderr).not.toContain("cannot reach Kafka");
        expect(failed.stderr).not.toMatch(/KafkaJS|at .*\.js/);
        await Promise.all(down.map((id) => restartNode(id)));
        await until(
          "the queued chat message delivered",
          () => chat.out.stdout.includes("ops: sent while two are down"),
          90_000,
        );
        expect(await chat.leave()).toBe(0);
        expect(messagesOf(room).filter((m) => m === "sent while two are down")).toHaveLength(1);
        console.log(`send below min ISR: ${failed.stderr.trim()}`);
      } finally {
        chat.proc.kill("SIGKILL");
      }
    }, 240_000);
  },
);
