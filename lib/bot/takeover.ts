/**
 * What a replica does when the group hands it an assignment, before it reads a single record:
 *
 * 1. The assigned partitions stay paused (run.ts pauses them as the assignment arrives).
 * 2. For each slot it now owns, a new transactional producer is initialised. Its
 *    InitProducerId fences whoever held the slot before — a live replica that lost it in a
 *    rebalance, or a zombie frozen past its session timeout — and returns only once the
 *    coordinator has settled that producer's last transaction (committed if its commit had
 *    reached the coordinator, aborted otherwise).
 * 3. Only then are the group's committed offsets read: they are final, as nobody else can
 *    commit for these partitions any more.
 * 4. A partition the group never committed an offset for gets its start position committed, inside a
 *    transaction of its slot (rooms known at the first start begin at their end, rooms seen
 *    later at their beginning), so a restart never skips what was said while the bot was down.
 * 5. Every partition is moved to exactly that offset and resumed, so what is read is what the
 *    committed offsets say, whatever kafkajs had fetched on its own meanwhile.
 */
import type { Assignment } from "../kafka/group.ts";
import { type GroupAdmin, NO_COMMITTED_OFFSET, type PartitionEnds } from "../kafka/group-admin.ts";
import { isKafkaFailure, KafkaFailure } from "../kafka/index.ts";
import { partitionKey } from "../partition-key.ts";
import { slotOf } from "./slots.ts";
import type { Position, TransactionPipeline } from "./transactions.ts";

export type { Assignment };

export interface TakeoverSeams {
  admin: Pick<GroupAdmin, "committed" | "ends">;
  groupId: string;
  /** Whether a room without a committed offset is read from its beginning (else from its end). */
  fromStart: (topic: string) => boolean;
  /** A pipeline around a newly initialised producer of the slot's transactional id. */
  openPipeline: (slot: number) => Promise<TransactionPipeline | KafkaFailure>;
  /** False once a newer assignment has arrived: this one is abandoned. */
  current: () => boolean;
}

export interface Taken {
  pipelines: Map<number, TransactionPipeline>;
  /** Where each assigned partition resumes. */
  positions: Position[];
  /** How many of them had no committed offset and got their start position stored. */
  stored: number;
}

export function slotsOf(assignment: Assignment): Map<number, Position[]> {
  const slots = new Map<number, Position[]>();
  for (const [topic, partitions] of Object.entries(assignment))
    for (const partition of partitions) {
      const slot = slotOf(topic, partition);
      slots.set(slot, [...(slots.get(slot) ?? []), { topic, partition, offset: "-1" }]);
    }
  return slots;
}

/**
 * Steps 2–4 above; undefined when a newer assignment made this one moot, a failure when a
 * producer could not be initialised or a start position not stored. The pipelines opened are
 * handed back in any case (inside `opened`), so the caller can retire them.
 */
export async function takeOver(
  assignment: Assignment,
  seams: TakeoverSeams,
  opened: Map<number, TransactionPipeline>,
): Promise<Taken | KafkaFailure | undefined> {
  const slots = slotsOf(assignment);
  const failures: KafkaFailure[] = [];
  await Promise.all(
    [...slots.keys()].map(async (slot) => {
      const pipeline = await seams.openPipeline(slot);
      if (isKafkaFailure(pipeline)) failures.push(pipeline);
      else opened.set(slot, pipeline);
    }),
  );
  if (failures[0] !== undefined) return failures[0];
  if (!seams.current()) return undefined;
  const topics = Object.keys(assignment);
  const stored = topics.length === 0 ? [] : await seams.admin.committed(seams.groupId, topics);
  const committed = new Map<string, string>();
  for (const { topic, partition, offset } of stored) committed.set(partitionKey(topic, partition), offset);

  const positions: Position[] = [];
  const missing = new Map<number, Position[]>();
  const ends = new Map<string, Promise<PartitionEnds[]>>();
  for (const [slot, partitions] of slots)
    for (const { topic, partition } of partitions) {
      const offset = committed.get(partitionKey(topic, partition));
      // Unknown is not "never committed": starting such a partition at its end would skip
      // every question since the last commit. The membership fails and is tried again.
      if (offset === undefined)
        return new KafkaFailure(
          "cluster",
          true,
          `the group coordinator gave no committed offset for ${topic}/${partition} (brokers failing over?)`,
        );
      if (offset !== NO_COMMITTED_OFFSET) {
        positions.push({ topic, partition, offset });
        continue;
      }
      if (!ends.has(topic)) ends.set(topic, seams.admin.ends(topic));
      const end = (await ends.get(topic))?.find((e) => e.partition === partition);
      if (end === undefined) throw new Error(`no offsets for ${topic}/${partition}`);
      const start = { topic, partition, offset: seams.fromStart(topic) ? end.low : end.high };
      positions.push(start);
      missing.set(slot, [...(missing.get(slot) ?? []), start]);
    }
  const outcomes = await Promise.all(
    [...missing].map(([slot, list]) => opened.get(slot)?.storePositions(list)),
  );
  if (!seams.current()) return undefined;
  const failed = outcomes.find(isKafkaFailure);
  if (failed !== undefined) return failed;
  const count = [...missing.values()].reduce((sum, list) => sum + list.length, 0);
  return { pipelines: opened, positions, stored: count };
}
