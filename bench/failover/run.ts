/**
 * bench/failover: the partition leader killed with -9 (and restarted) while messages flow at
 * ~20/s, on the 3-node cluster of the fault suite (scripts/kafka start --nodes 3, port 29092).
 * Two runs in one invocation, one after the other, each with its own topic and its own kill:
 * dchat's producer and consumer (the room link of `dchat chat`: lib/chat/room.ts, which the
 * binary runs; it gives the acknowledgement time of every send), and Kafka's own Java clients
 * from the cached jars, VerifiableProducer (idempotent, unbounded retries, acks=all) and
 * VerifiableConsumer. Figures: time from the kill to the first acknowledged send and to the
 * first delivery of a message unacknowledged at the kill, the longest delivery gap, and the
 * messages lost (acknowledged, not in the topic, read back by librdkafka) and duplicated.
 *
 *   bun bench/failover/run.ts [--messages N]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { joinRoom } from "../../lib/chat/room.ts";
import { ensureTopic, openKafka } from "../../lib/kafka/index.ts";
import {
  clusterBrokers,
  clusterKafka,
  healCluster,
  leaderOf,
  nodeDo,
  restartNode,
  startCluster,
} from "../../test/cluster/support.ts";
import { repoRoot, uniqueName } from "../../test/support/broker.ts";
import { readValues } from "../../test/support/client.ts";

const { values } = parseArgs({ options: { messages: { type: "string" } } });
const count = Number(values.messages ?? 300);
const killAt = Math.floor(count / 5);
const intervalMs = 50;

interface Run {
  name: string;
  killedAt: number;
  acks: Map<number, number>;
  deliveries: { n: number; at: number }[];
  topicValues: number[];
}

/** Kills the topic's leader now and restarts it in the background. */
async function killLeader(topic: string): Promise<{ at: number; restarted: Promise<void> }> {
  const leader = await leaderOf(topic);
  nodeDo("kill", leader);
  return { at: Date.now(), restarted: restartNode(leader) };
}

async function dchatRun(): Promise<Run> {
  const topic = uniqueName("failover-dchat");
  const settings = { brokers: clusterBrokers.split(","), clientId: "bench-failover", ssl: false as const };
  const deliveries: Run["deliveries"] = [];
  const receiver = await joinRoom(openKafka(settings), topic, "rx", 0, {
    records: (records) => {
      for (const r of records) {
        const n = r.ok ? /^m-(\d+)$/.exec(r.record.message)?.[1] : undefined;
        if (n !== undefined) deliveries.push({ n: Number(n), at: Date.now() });
      }
    },
    connection: () => {},
  });
  const sender = await joinRoom(openKafka(settings), topic, "tx", 0, {
    records: () => {},
    connection: () => {},
  });
  await Promise.all([receiver.historyLoaded, sender.historyLoaded]);
  const acks = new Map<number, number>();
  let kill = { at: 0, restarted: Promise.resolve() };
  const started = Date.now();
  // As the chat's outbox: in order, one at a time, each retried until acknowledged.
  for (let n = 0; n < count; n++) {
    const due = started + n * intervalMs;
    if (due > Date.now()) await Bun.sleep(due - Date.now());
    if (n === killAt) kill = await killLeader(topic);
    for (;;) {
      try {
        await sender.send({
          sender: "tx",
          message: `m-${n}`,
          end: false,
          timestamp: new Date().toISOString(),
        });
        acks.set(n, Date.now());
        break;
      } catch {
        await Bun.sleep(500);
      }
    }
  }
  const deadline = Date.now() + 60_000;
  while (new Set(deliveries.map((d) => d.n)).size < count && Date.now() < deadline) await Bun.sleep(100);
  await kill.restarted;
  await Promise.all([receiver.close(), sender.close()]);
  const topicValues = readValues(clusterBrokers, topic).map((v) => Number(/m-(\d+)/.exec(v)?.[1]));
  return { name: "dchat (kafkajs)", killedAt: kill.at, acks, deliveries, topicValues };
}

/** One of Kafka's tools as a child process, each stdout line (a JSON event) to `onEvent`. */
function javaTool(className: string, args: string[], onEvent: (event: Record<string, unknown>) => void) {
  const child = spawn(join(repoRoot, "scripts", "kafka"), ["tool", className, ...args], {
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, DCHAT_KAFKA_TOOL_HEAP: "256m" },
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.startsWith("{")) onEvent(JSON.parse(line));
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, exited };
}

async function javaRun(): Promise<Run> {
  const topic = uniqueName("failover-java");
  await ensureTopic(clusterKafka(), topic);
  const dir = mkdtempSync(join(tmpdir(), "dchat-failover-"));
  const producerConfig = join(dir, "producer.properties");
  // VerifiableProducer hard-codes retries=0; a fair anchor retries as dchat does.
  writeFileSync(
    producerConfig,
    "retries=2147483647\nenable.idempotence=true\nmax.in.flight.requests.per.connection=1\n",
  );
  const deliveries: Run["deliveries"] = [];
  let assigned!: () => void;
  const ready = new Promise<void>((resolve) => {
    assigned = resolve;
  });
  const consumer = javaTool(
    "org.apache.kafka.tools.VerifiableConsumer",
    [
      "--topic",
      topic,
      "--group-id",
      uniqueName("failover"),
      "--bootstrap-server",
      clusterBrokers,
      "--reset-policy",
      "earliest",
      "--verbose",
    ],
    (event) => {
      if (event.name === "partitions_assigned" && (event.partitions as unknown[]).length > 0) assigned();
      if (event.name === "record_data")
        deliveries.push({ n: Number(event.value), at: Number(event.timestamp) });
    },
  );
  await ready;
  const acks = new Map<number, number>();
  let kill: Promise<{ at: number; restarted: Promise<void> }> | undefined;
  const producer = javaTool(
    "org.apache.kafka.tools.VerifiableProducer",
    [
      ...["--topic", topic, "--bootstrap-server", clusterBrokers, "--acks", "-1"],
      ...["--max-messages", String(count), "--throughput", String(1000 / intervalMs)],
      ...["--producer.config", producerConfig],
    ],
    (event) => {
      if (event.name !== "producer_send_success") return;
      // The event's own clock: piped stdout reaches us in bursts.
      acks.set(Number(event.value), Number(event.timestamp));
      if (acks.size === killAt) kill = killLeader(topic);
    },
  );
  await producer.exited;
  const killed = await (kill ?? Promise.reject(new Error("the Java producer never reached the kill")));
  const deadline = Date.now() + 60_000;
  while (new Set(deliveries.map((d) => d.n)).size < acks.size && Date.now() < deadline) await Bun.sleep(100);
  consumer.child.kill();
  await consumer.exited;
  await killed.restarted;
  const topicValues = readValues(clusterBrokers, topic).map(Number);
  return { name: "Kafka Java clients", killedAt: killed.at, acks, deliveries, topicValues };
}

function figures(run: Run) {
  const afterKill = (at: number) => at >= run.killedAt;
  const firstAck = Math.min(...[...run.acks.values()].filter(afterKill)) - run.killedAt;
  const unackedAtKill = new Set([...run.acks].filter(([, at]) => afterKill(at)).map(([n]) => n));
  const firstDelivery =
    Math.min(...run.deliveries.filter((d) => afterKill(d.at) && unackedAtKill.has(d.n)).map((d) => d.at)) -
    run.killedAt;
  const times = run.deliveries.map((d) => d.at);
  const gap = Math.max(...times.slice(1).map((at, i) => at - (times[i] as number)));
  const inTopic = new Map<number, number>();
  for (const n of run.topicValues) inTopic.set(n, (inTopic.get(n) ?? 0) + 1);
  const lost = [...run.acks.keys()].filter((n) => !inTopic.has(n)).length;
  const duplicated = [...inTopic.values()].filter((c) => c > 1).length;
  const delivered = new Map<number, number>();
  for (const d of run.deliveries) delivered.set(d.n, (delivered.get(d.n) ?? 0) + 1);
  const notDelivered = [...run.acks.keys()].filter((n) => !delivered.has(n)).length;
  const deliveredTwice = [...delivered.values()].filter((c) => c > 1).length;
  return {
    firstAck,
    firstDelivery,
    gap,
    acked: run.acks.size,
    lost,
    duplicated,
    notDelivered,
    deliveredTwice,
  };
}

startCluster();
const runs: Run[] = [];
for (const side of [dchatRun, javaRun]) {
  runs.push(await side());
  healCluster();
}
const [ours, theirs] = runs.map(figures) as [ReturnType<typeof figures>, ReturnType<typeof figures>];
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(
  `leader kill -9 at message ${killAt} of ${count} (${1000 / intervalMs}/s), 3 nodes, RF 3, min ISR 2\n`,
);
console.log("                                      dchat (kafkajs)   Kafka Java clients   ratio");
const row = (label: string, a: number, b: number, fmt: (x: number) => string) =>
  console.log(
    `${label.padEnd(38)}${fmt(a).padStart(15)}${fmt(b).padStart(21)}${(a / b).toFixed(2).padStart(8)}`,
  );
row("kill → first acknowledged send", ours.firstAck, theirs.firstAck, s);
row("kill → first delivery of a new message", ours.firstDelivery, theirs.firstDelivery, s);
row("longest delivery gap", ours.gap, theirs.gap, s);
const plain = (x: number) => String(x);
for (const [label, key] of [
  ["acknowledged", "acked"],
  ["lost (acknowledged, not in the topic)", "lost"],
  ["duplicated in the topic", "duplicated"],
  ["acknowledged, never delivered", "notDelivered"],
  ["delivered twice", "deliveredTwice"],
] as const)
  console.log(`${label.padEnd(38)}${plain(ours[key]).padStart(15)}${plain(theirs[key]).padStart(21)}`);
process.exit(0);
