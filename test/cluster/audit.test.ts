/**
 * dchat audit on a 3-node cluster: a backlog over 6 partitions, a broker killed with -9 one
 * second into the run while `dchat send` keeps writing to the room. The run waits out the
 * election and completes, or fails naming the cause and the next run completes; in the end the
 * archive equals the topic (no loss, no duplicate offset) and holds every acknowledged send.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTopic } from "../../lib/kafka/index.ts";
import { encode, textRecord } from "../../lib/wire.ts";
import { archivedRecords, runAuditProcess, topicRecords } from "../audit/support.ts";
import { uniqueName } from "../support/broker.ts";
import { runDchat } from "../support/dchat.ts";
import { externalCluster, skipped } from "../support/skips.ts";
import {
  clusterClient,
  clusterKafka,
  healCluster,
  leaderOf,
  nodeDo,
  restartNode,
  startCluster,
} from "./support.ts";

let brokers = "";
const backlog = 60_000;

describe.skipIf(skipped(externalCluster("the cluster fault suite kills brokers")))(
  "audit on a 3-node cluster",
  () => {
    beforeAll(() => {
      brokers = startCluster();
    });
    afterEach(() => healCluster());

    test("a broker killed during a run over 6 partitions: the archive equals the topic and holds every acknowledged send", async () => {
      const room = uniqueName("cluster-audit");
      const out = mkdtempSync(join(tmpdir(), "dchat-cluster-audit-"));
      const kafka = clusterClient();
      await ensureTopic(clusterKafka(), room, 6);
      const producer = kafka.producer();
      await producer.connect();
      const now = new Date();
      for (let i = 0; i < backlog; i += 2000) {
        const messages = Array.from({ length: 2000 }, (_, j) => ({
          partition: (i + j) % 6,
          value: encode(textRecord(`user${(i + j) % 17}`, `backlog ${i + j}`, now)),
        }));
        await producer.send({ topic: room, acks: -1, messages });
      }
      await producer.disconnect();

      const acknowledged: string[] = [];
      let sending = true;
      const sends = (async () => {
        for (let i = 0; sending; i++) {
          const result = await runDchat([
            "send",
            "--room",
            room,
            "--user",
            "cron",
            "--brokers",
            brokers,
            `during ${i}`,
          ]);
          if (result.code === 0) acknowledged.push(`during ${i}`);
        }
      })();
      const audit = (): ReturnType<typeof runAuditProcess> =>
        runAuditProcess(["--rooms", room, "--out", out, "--no-stats", "--brokers", brokers]);
      const victim = await leaderOf(room, 0);
      const first = audit();
      await Bun.sleep(1000);
      nodeDo("kill", victim);
      const firstRun = await first;
      await restartNode(victim);
      sending = false;
      await sends;
      const runs = [firstRun];
      // A run that failed must have said why in one line, not blamed an unreachable cluster.
      if (firstRun.code !== 0) {
        expect(firstRun.stderr.trim().split("\n")).toHaveLength(1);
        expect(firstRun.stderr).not.toMatch(/KafkaJS|cannot reach Kafka/);
      }
      // Until the archive has caught up with everything written (a run archives what it saw start).
      runs.push(await audit());
      expect(runs.at(-1)?.code).toBe(0);

      const key = (r: { partition: number; offset: number }) => `${r.partition}/${r.offset}`;
      const inTopic = topicRecords(brokers, room).map(key);
      const archived = await archivedRecords(out);
      const keys = archived.map(key);
      expect(keys.length).toBe(new Set(keys).size);
      expect(new Set(keys)).toEqual(new Set(inTopic));
      const messages = new Set(archived.map((r) => r.message));
      expect(acknowledged.filter((m) => !messages.has(m))).toEqual([]);
      console.log(
        `audit through a kill of node ${victim}: first run exit ${firstRun.code}${firstRun.code ? ` (${firstRun.stderr.trim()})` : ""}; ` +
          `${inTopic.length} records archived once each, ${acknowledged.length} sends during the fault all archived`,
      );
    }, 240_000);
  },
);
