/**
 * The reference beside the bot: Kafka's own exactly-once consume → produce loop, the
 * `TransactionalMessageCopier` of Kafka's tools (the Java client, KIP-447 group metadata, one
 * transaction per poll of up to `--transaction-size` records), from the cached jars, copying
 * an input topic of several partitions to an output topic on the same broker. What it does per
 * question is what the bot does less the movie lookup: read, write the copy, commit the read
 * offsets in the same transaction.
 *
 * The tool copies only up to the end offsets it sees when its partitions are assigned, then
 * exits. So the input partitions start with an aborted transaction of twice the records it is
 * to copy: a read_committed consumer skips them (nothing is copied), but the tool counts them
 * in what it has left, and keeps copying live records until that many were copied or it is
 * stopped.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Kafka } from "kafkajs";
import { repoRoot, uniqueName } from "../../test/support/broker.ts";

export interface Copier {
  input: string;
  output: string;
  pid: number;
  stop(): Promise<void>;
}

/** A copier for at least `copies` records over `partitions` partitions (it stops after that many). */
export async function startCopier(
  kafka: Kafka,
  brokers: string,
  partitions: number,
  copies: number,
): Promise<Copier> {
  const input = uniqueName("bench-bot-copier-in");
  const output = uniqueName("bench-bot-copier-out");
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      {
        topic: input,
        numPartitions: partitions,
        // As the rooms: the question's time is when the broker stored it.
        configEntries: [{ name: "message.timestamp.type", value: "LogAppendTime" }],
      },
      { topic: output, numPartitions: partitions },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();

  const backlog = Math.ceil((2 * copies) / partitions) + 1000;
  const aborted = kafka.producer({
    transactionalId: uniqueName("bench-bot-backlog"),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await aborted.connect();
  const transaction = await aborted.transaction();
  // In requests of 10,000 records a partition: one request of them all could pass the broker's limit.
  for (let sent = 0; sent < backlog; sent += 10_000) {
    const length = Math.min(10_000, backlog - sent);
    for (let partition = 0; partition < partitions; partition++) {
      await transaction.send({
        topic: input,
        messages: Array.from({ length }, () => ({ partition, value: "-" })),
      });
    }
  }
  await transaction.abort();
  await aborted.disconnect();

  const classpath = spawnSync(join(repoRoot, "scripts", "kafka"), ["classpath"], {
    encoding: "utf8",
  }).stdout.trim();
  // java itself, not scripts/kafka's wrapper, so that the pid's CPU is the tool's.
  const child = spawn(
    "java",
    [
      "-Xmx512m",
      "-Dlog4j2.level=warn",
      "-cp",
      classpath,
      "org.apache.kafka.tools.TransactionalMessageCopier",
      "--broker-list",
      brokers,
      "--input-topic",
      input,
      "--input-partition",
      "0",
      "--output-topic",
      output,
      "--group-mode",
      "--use-group-metadata",
      "--consumer-group",
      uniqueName("bench-bot-copier"),
      "--transactional-id",
      uniqueName("bench-bot-copier"),
      "--transaction-size",
      "1000",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let said = "";
  // It prints a status line per poll: read them all, or the pipe fills and stops it.
  let timer: Timer | undefined;
  const assigned = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (said.length < 64 * 1024) said += chunk.toString();
      if (said.includes('"RebalanceComplete"')) resolve();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      said += chunk.toString();
    });
    child.on("exit", (code) =>
      reject(new Error(`TransactionalMessageCopier exited (${code}): ${said.slice(-500)}`)),
    );
    timer = setTimeout(
      () => reject(new Error(`TransactionalMessageCopier not assigned within 60 s: ${said.slice(-500)}`)),
      60_000,
    );
  });
  await assigned.finally(() => clearTimeout(timer));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    input,
    output,
    pid: child.pid as number,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [input, output] });
      await admin.disconnect();
    },
  };
}
