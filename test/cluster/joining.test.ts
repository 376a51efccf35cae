/**
 * Joining a room while the cluster is in trouble: right after a broker was killed (before the
 * controller fences it) and while a crashed cluster is coming back up (group coordinators still
 * loading). Every client must join, talk, and leave with exit 0; no kafkajs internal message may
 * reach the user.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot, uniqueName } from "../support/broker.ts";
import { externalCluster, skipped } from "../support/skips.ts";
import { lineClient } from "./line-client.ts";
import {
  clusterPort,
  healCluster,
  nodeDo,
  nodePort,
  portOpen,
  restartNode,
  startCluster,
  until,
} from "./support.ts";

let brokers = "";

/** Three clients join `room` at once; each must see everyone's hello. */
async function threeJoinAndTalk(room: string): Promise<void> {
  const users = ["kim", "lee", "park"];
  const clients = users.map((user) => lineClient(brokers, room, user));
  try {
    for (const [i, client] of clients.entries())
      await until(
        `${users[i]} joined`,
        () => client.out.stdout.includes(`User [${users[i]}] has entered`),
        60_000,
      );
    for (const [i, client] of clients.entries()) client.say(`hello from ${users[i]}`);
    for (const client of clients)
      await until(
        "every hello",
        () => users.every((u) => client.out.stdout.includes(`${u}: hello from ${u}`)),
        60_000,
      );
    for (const client of clients) expect(await client.leave()).toBe(0);
    for (const client of clients) {
      expect(client.out.stderr).not.toMatch(/KafkaJS|consumer#run|not initialized|cannot reach Kafka/);
      expect(client.out.stderr).not.toContain("not sent");
    }
  } catch (error) {
    throw new Error(
      `${String(error)}\n${clients.map((c, i) => `${users[i]} stderr:\n${c.out.stderr}`).join("\n")}`,
    );
  } finally {
    for (const client of clients) client.proc.kill("SIGKILL");
  }
}

describe.skipIf(skipped(externalCluster("the cluster fault suite kills brokers")))(
  "joining a 3-node cluster in trouble",
  () => {
    beforeAll(() => {
      brokers = startCluster();
    });
    afterEach(() => healCluster());

    test("clients started right after a broker was killed join, talk and leave", async () => {
      nodeDo("kill", 2);
      await threeJoinAndTalk(uniqueName("cluster-join-dead"));
      await restartNode(2);
    }, 180_000);

    test("clients started while a crashed cluster comes back up join, talk and leave", async () => {
      // All three killed (a clean stop of three nodes takes a minute on two cores); on the way
      // back up the group coordinators load their state as after any restart.
      for (const id of [1, 2, 3]) nodeDo("kill", id);
      const started = new Promise<number>((resolve) =>
        spawn(join(repoRoot, "scripts", "kafka"), ["start", "--port", String(clusterPort)], {
          stdio: "ignore",
        }).on("exit", (code) => resolve(code ?? 1)),
      );
      // The clients start as soon as a node listens, long before the cluster serves everything.
      while (!(await portOpen(nodePort(1)))) await Bun.sleep(100);
      await threeJoinAndTalk(uniqueName("cluster-join-fresh"));
      expect(await started).toBe(0);
    }, 240_000);
  },
);
