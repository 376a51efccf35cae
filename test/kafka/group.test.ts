/**
 * A consumer-group member (lib/kafka/group.ts) against the real broker: a member that crashes
 * stays down, so its user's next member is the only one of its process in the group.
 */
import { expect, test } from "bun:test";
import { type Assignment, type GroupMember, joinGroup } from "../../lib/kafka/group.ts";
import { ensureTopic, type KafkaFailure, type LogEntry, openKafka } from "../../lib/kafka/index.ts";
import { brokerAddress, uniqueName } from "../support/broker.ts";
import { consumerGroups, produceValues } from "../support/client.ts";

test("a crashed member stays down: no restart behind its user's back, and pause and leave still work", async () => {
  const brokers = await brokerAddress();
  const topic = uniqueName("group-crash");
  const clientId = uniqueName("crashing");
  const lines: LogEntry[] = [];
  const client = openKafka(
    { brokers: [brokers], clientId, ssl: false },
    { retries: 1, log: (entry) => lines.push(entry) },
  );
  await ensureTopic(client, topic, 1);
  produceValues(brokers, topic, ["question"]);
  const assignments: Assignment[] = [];
  let crash: (failure: KafkaFailure) => void = () => {};
  const crashed = new Promise<KafkaFailure>((resolve) => {
    crash = resolve;
  });
  const member: GroupMember = await joinGroup(client, {
    groupId: uniqueName("g"),
    topics: [topic],
    assigner: {
      name: "all-to-first",
      assign: (ids, partitions) => new Map([[ids[0] ?? "", { [topic]: partitions.map((p) => p.partition) }]]),
    },
    sessionTimeoutMs: 10_000,
    handlers: {
      assigned: (assignment, assigned) => {
        assignments.push(assignment);
        assigned.startAt([{ topic, partition: 0, offset: "0" }]);
      },
      // The fetch loop fails for good (a bug, here on cue): kafkajs gives up after its retries.
      batch: () => Promise.reject(new Error("the batch handler failed")),
      heartbeat: () => {},
      crashed: crash,
    },
  });
  const failure = await crashed;
  expect(failure.detail).toContain("the batch handler failed");
  // kafkajs schedules its restart synchronously right after it reports the crash.
  expect(lines.filter((line) => line.message.startsWith("Restarting the consumer"))).toEqual([]);
  member.pause();
  await member.leave();
  expect(assignments).toEqual([{ [topic]: [0] }]);
  expect(consumerGroups(brokers, { client: clientId })).toEqual([]);
}, 30_000);
