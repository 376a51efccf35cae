/**
 * A consumer-group assigner (run by the group's leader) from a pure function over the member
 * ids and every partition of the subscribed topics, so the bot's slot assignment (lib/bot/slots.ts)
 * needs nothing of kafkajs's assigner protocol.
 */
import { AssignerProtocol, type PartitionAssigner } from "kafkajs";

/** Which member gets which partitions: member id → topic → partitions. */
export type AssignPartitions = (
  memberIds: string[],
  partitions: { topic: string; partition: number }[],
) => Map<string, Record<string, number[]>>;

export function customAssigner(name: string, assign: AssignPartitions): PartitionAssigner {
  return ({ cluster }) => ({
    name,
    version: 0,
    async assign({ members, topics }) {
      const partitions = topics.flatMap((topic) =>
        cluster
          .findTopicPartitionMetadata(topic)
          .map(({ partitionId }) => ({ topic, partition: partitionId })),
      );
      const assignment = assign(
        members.map(({ memberId }) => memberId),
        partitions,
      );
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: assignment.get(memberId) ?? {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
      };
    },
  });
}
