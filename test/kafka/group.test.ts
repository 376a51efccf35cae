/**
 * A consumer-group member (lib/kafka/group.ts) against the real broker: a member that crashes
 * stays down, so its user's next member is the only one of its process in the group; and a
 * member left behind by a process is removed when asked (group-leave.ts).
 */
import { expect, test } from "bun:test";
import { type Assignment, type GroupMember, joinGroup } from "../../lib/kafka/group.ts";
import { removeMember } from "../../lib/kafka/group-leave.ts";
import {
  ensureTopic,
  type KafkaFailure,
  kafkajsOf,
  type LogEntry,
  openKafka,
} from "../../lib/kafka/index.ts";
import { brokerAddress, uniqueName } from "../support/broker.ts";
import { consumerGroups, produceValues, python } from "../support/client.ts";

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

/** A member of `groupId` in another process (librdkafka), with a long session; resolves with its id once assigned. */
function memberElsewhere(brokers: string, groupId: string, topic: string) {
  const script = `
import sys
from confluent_kafka import Consumer
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": sys.argv[2],
              "session.timeout.ms": 60000, "max.poll.interval.ms": 120000})
c.subscribe([sys.argv[3]], on_assign=lambda consumer, partitions: print(consumer.memberid(), flush=True))
while True:
    c.poll(0.2)
`;
  const proc = Bun.spawn([python, "-c", script, brokers, groupId, topic], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const id = (async () => {
    let out = "";
    for await (const chunk of proc.stdout) {
      out += new TextDecoder().decode(chunk);
      if (out.includes("\n")) return out.trim();
    }
    throw new Error(`the librdkafka member exited (${await proc.exited}) before it was assigned`);
  })();
  return { proc, id };
}

test("a member left behind (killed before it could leave) is removed at once, not when its session times out", async () => {
  const brokers = await brokerAddress();
  const client = openKafka({ brokers: [brokers], clientId: "dchat-test", ssl: false });
  const topic = uniqueName("group-left-behind");
  const groupId = uniqueName("g");
  await ensureTopic(client, topic, 1);
  const other = memberElsewhere(brokers, groupId, topic);
  const memberId = await other.id;
  other.proc.kill("SIGKILL");
  await other.proc.exited;
  const admin = kafkajsOf(client).admin();
  await admin.connect();
  try {
    const members = async () =>
      (await admin.describeGroups([groupId])).groups[0]?.members.map((m) => m.memberId);
    // Its session (60 s) keeps it in the group: it is left behind.
    expect(await members()).toEqual([memberId]);
    expect(await removeMember(client, groupId, memberId, 10_000)).toBe(true);
    expect(await members()).toEqual([]);
    // Gone already: nothing to remove, which is success too.
    expect(await removeMember(client, groupId, memberId, 10_000)).toBe(true);
  } finally {
    await admin.disconnect();
  }
}, 30_000);
