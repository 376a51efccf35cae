/**
 * The 3-node cluster of the fault suite: `scripts/kafka start --nodes 3` on base port 29092
 * (nodes at 29092, 29096, 29100), started once for all files of test/cluster (bun runs them in
 * one process) and left running; `scripts/kafka stop --port 29092` stops it. Every test starts
 * from a healthy cluster and puts back what it broke, so tests do not depend on their order.
 */
import { spawn, spawnSync } from "node:child_process";
import { createConnection } from "node:net";
import { join } from "node:path";
import { connectKafka, type Kafka, type KafkaClient, openKafka } from "../../lib/kafka/index.ts";
import { repoRoot } from "../support/broker.ts";

/** DCHAT_CLUSTER_PORT moves it, so two checkouts on one machine can run the suite at once. */
export const clusterPort = Number(process.env.DCHAT_CLUSTER_PORT ?? 29092);
export const nodeIds = [1, 2, 3] as const;
export const nodePort = (id: number) => clusterPort + (id - 1) * 4;
export const clusterBrokers = nodeIds.map((id) => `127.0.0.1:${nodePort(id)}`).join(",");
const script = join(repoRoot, "scripts", "kafka");

function kafka(args: string[]): { status: number; out: string } {
  const result = spawnSync(script, [...args, "--port", String(clusterPort)], {
    encoding: "utf8",
    timeout: 180_000,
  });
  return { status: result.status ?? 1, out: `${result.stdout}${result.stderr}` };
}

let started = false;

/** Starts the cluster if it is not running (all three nodes), else only heals it. */
export function startCluster(): string {
  if (!started) {
    const result = kafka(["start", "--nodes", "3"]);
    if (result.status !== 0) throw new Error(`scripts/kafka start --nodes 3 failed:\n${result.out}`);
    started = true;
  }
  healCluster();
  return clusterBrokers;
}

/** kill -9, SIGSTOP, SIGCONT or a clean stop of one node, at once. */
export function nodeDo(command: "kill" | "pause" | "resume" | "stop", id: number): void {
  const result = kafka([command, "--node", String(id)]);
  if (result.status !== 0) throw new Error(`scripts/kafka ${command} --node ${id} failed:\n${result.out}`);
}

/** Starts one node again; resolves once it serves a produce and a fetch (see scripts/kafka). */
export function restartNode(id: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(script, ["start", "--node", String(id), "--port", String(clusterPort)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      out += chunk;
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`restarting node ${id} failed:\n${out}`)),
    );
  });
}

/** Resumes paused nodes and starts stopped ones, so the next test finds three running nodes. */
export function healCluster(): void {
  const status = kafka(["status"]).out;
  for (const id of nodeIds) {
    if (new RegExp(`^node ${id}: paused`, "m").test(status)) nodeDo("resume", id);
  }
  if (/not running/.test(status)) {
    const result = kafka(["start"]);
    if (result.status !== 0) throw new Error(`healing the cluster failed:\n${result.out}`);
  }
}

const clusterSettings = {
  brokers: clusterBrokers.split(","),
  clientId: "dchat-cluster-test",
  ssl: false as const,
};

/** The adapter's client of the cluster. */
export function clusterKafka(): KafkaClient {
  return openKafka(clusterSettings);
}

/** kafkajs's own client of the cluster, for scaffolding the adapter has no operation for. */
export function clusterClient(): Kafka {
  return connectKafka(clusterSettings);
}

/** The node leading `topic`'s partition, as the cluster's metadata says now. */
export async function leaderOf(topic: string, partition = 0): Promise<number> {
  const admin = clusterClient().admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const leader = topics[0]?.partitions.find((p) => p.partitionId === partition)?.leader;
    if (leader === undefined || leader < 0) throw new Error(`${topic}/${partition} has no leader`);
    return leader;
  } finally {
    await admin.disconnect();
  }
}

export async function replicationOf(topic: string): Promise<number[]> {
  const admin = clusterClient().admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return (topics[0]?.partitions ?? []).map((p) => p.replicas.length);
  } finally {
    await admin.disconnect();
  }
}

/** Waits until every partition of every topic has all its replicas in sync (an operator's "no under-replicated partitions"). */
export async function fullyInSync(timeoutMs: number): Promise<void> {
  const admin = clusterClient().admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { topics } = await admin.fetchTopicMetadata().catch(() => ({ topics: [] as never[] }));
      const behind = topics.flatMap((t) =>
        t.partitions.filter((p) => p.isr.length < p.replicas.length).map((p) => `${t.name}/${p.partitionId}`),
      );
      if (topics.length > 0 && behind.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `after ${timeoutMs} ms these partitions still miss in-sync replicas: ${behind.join(", ")}`,
        );
      await Bun.sleep(500);
    }
  } finally {
    await admin.disconnect();
  }
}

/** Waits for `check` (polled every 100 ms) up to `timeoutMs`, else fails saying what. */
export async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(100);
  }
}

/** A node listens on its port (it may not serve anything yet). */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}
