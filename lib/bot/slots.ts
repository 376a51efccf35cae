/**
 * Assignment slots: how the bot fences a zombie replica with a bounded number of transactional
 * producers although kafkajs predates KIP-447 (its offset commits carry no group generation).
 *
 * Every room partition belongs to one of SLOTS slots, and a slot is the unit of assignment: the
 * group's assigner gives each slot, whole, to one member. Each slot has one transactional id,
 * so the member that takes a slot over initialises that id's producer, which makes the
 * coordinator abort whatever the previous owner left open and refuse that owner's later
 * commits (Kafka Streams' answer before KIP-447, with slots instead of one id per partition).
 * A replica holds at most SLOTS producers, however many rooms there are; a group can spread
 * its work over at most SLOTS replicas.
 */

import { fnv1aUnits } from "../fnv1a.ts";

export const SLOTS = 16;

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A room's partitions take consecutive slots, so up to SLOTS partitions of one room can go to different replicas. */
export function slotOf(topic: string, partition: number): number {
  // FNV-1a over the UTF-16 code units: stable across versions, as a slot must be.
  return ((fnv1aUnits(topic) >>> 0) + partition) % SLOTS;
}

export function transactionalId(groupId: string, slot: number): string {
  return `dchat-bot.${groupId}.slot-${slot}`;
}

/**
 * Whole slots to members, the busiest slot first to the member with the fewest partitions so
 * far (ties by member id): deterministic, and balanced as far as whole slots allow.
 */
export function assignSlots(
  memberIds: string[],
  partitions: TopicPartition[],
): Map<string, Record<string, number[]>> {
  const members = [...new Set(memberIds)].sort();
  const bySlot = new Map<number, TopicPartition[]>();
  for (const tp of partitions) {
    const slot = slotOf(tp.topic, tp.partition);
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), tp]);
  }
  const load = new Map(members.map((member) => [member, 0]));
  const assignment = new Map<string, Record<string, number[]>>(members.map((member) => [member, {}]));
  const slots = [...bySlot].sort(([a, left], [b, right]) => right.length - left.length || a - b);
  for (const [, owned] of slots) {
    const member = members.reduce((best, candidate) =>
      (load.get(candidate) ?? 0) < (load.get(best) ?? 0) ? candidate : best,
    );
    if (member === undefined) break;
    load.set(member, (load.get(member) ?? 0) + owned.length);
    const topics = assignment.get(member) ?? {};
    for (const { topic, partition } of owned) topics[topic] = [...(topics[topic] ?? []), partition];
    assignment.set(member, topics);
  }
  for (const topics of assignment.values())
    for (const list of Object.values(topics)) list.sort((a, b) => a - b);
  return assignment;
}
