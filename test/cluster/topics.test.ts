/**
 * The 3-node cluster of scripts/kafka as the fault suite relies on it: three voters, every node
 * shown by status, and the topics dchat creates replicated on all three (the cluster's default
 * replication factor).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot, uniqueName } from "../support/broker.ts";
import { topicInfo } from "../support/client.ts";
import { runDchat } from "../support/dchat.ts";
import { externalCluster, skipped } from "../support/skips.ts";
import { clusterPort, nodePort, startCluster } from "./support.ts";

let brokers = "";
const script = join(repoRoot, "scripts", "kafka");

describe.skipIf(skipped(externalCluster("the 3-node cluster is scripts/kafka's")))(
  "scripts/kafka start --nodes 3",
  () => {
    beforeAll(() => {
      brokers = startCluster();
    });

    test("status lists each node running, and the quorum has three voters", () => {
      const status = spawnSync(script, ["status", "--port", String(clusterPort)], { encoding: "utf8" });
      expect(status.status).toBe(0);
      for (const id of [1, 2, 3])
        expect(status.stdout).toMatch(
          new RegExp(`^node ${id}: running: pid \\d+, 127.0.0.1:${nodePort(id)}, log `, "m"),
        );
      const quorum = spawnSync(
        script,
        [
          "tool",
          "org.apache.kafka.tools.MetadataQuorumCommand",
          "--bootstrap-server",
          brokers,
          "describe",
          "--status",
        ],
        { encoding: "utf8" },
      );
      expect(quorum.stdout).toMatch(/CurrentVoters:\s+\[.*"id":\s*1.*"id":\s*2.*"id":\s*3/s);
    }, 60_000);

    test("rooms dchat send and dchat chat create are replicated three times", async () => {
      const sent = uniqueName("cluster-rf-send");
      expect(
        (
          await runDchat([
            "send",
            "--room",
            sent,
            "--user",
            "u",
            "--partitions",
            "3",
            "--brokers",
            brokers,
            "hi",
          ])
        ).code,
      ).toBe(0);
      expect(topicInfo(brokers, sent)).toEqual({ partitions: 3, replicationFactor: 3 });
      const chatted = uniqueName("cluster-rf-chat");
      const chat = await runDchat(
        ["chat", "--room", chatted, "--user", "u", "--history", "0", "--brokers", brokers],
        {
          stdin: "hello\n",
        },
      );
      expect(chat.code).toBe(0);
      expect(topicInfo(brokers, chatted)).toEqual({ partitions: 1, replicationFactor: 3 });
    }, 60_000);
  },
);
