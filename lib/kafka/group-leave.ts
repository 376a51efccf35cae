/**
 * Removing a member this process left behind in a consumer group: one whose LeaveGroup never
 * reached a coordinator, because the broker coordinating the group had just died. The group's
 * next coordinator loads that member from the log and keeps it until its session times out, and
 * every join meanwhile waits for it (the bot's rejoin after a coordinator kill: 10 s). kafkajs
 * has no call for this, nor static membership (KIP-345), so the LeaveGroup is sent to the
 * coordinator's broker directly, through kafkajs's cluster.
 */
import { guarded, type KafkaClient, kafkajsOf } from "./client.ts";
import { failureOf } from "./failure.ts";

/** The parts of kafkajs's (untyped) cluster used here. */
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<{
    leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
  }>;
}

type CreateCluster = (options: { allowAutoTopicCreation: boolean }) => Cluster;

function createCluster(client: KafkaClient): Cluster {
  const kafka = kafkajsOf(client) as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === "private:Kafka:createCluster",
  );
  const create = key === undefined ? undefined : (kafka[key] as CreateCluster | undefined);
  if (create === undefined) throw new Error("kafkajs no longer has Kafka[private:Kafka:createCluster]");
  return create({ allowAutoTopicCreation: false });
}

/**
 * Asks the group's coordinator to remove `memberId`, again while the answer is retriable (a
 * coordinator still loading the group, or moving) until `withinMs` has passed. Resolves with
 * whether the member is gone ("unknown member" counts: it has left or timed out already).
 */
export async function removeMember(
  client: KafkaClient,
  groupId: string,
  memberId: string,
  withinMs: number,
): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  const cluster = createCluster(client);
  try {
    for (;;) {
      try {
        await guarded(client, async () => {
          await cluster.connect();
          const coordinator = await cluster.findGroupCoordinator({ groupId });
          await coordinator.leaveGroup({ groupId, memberId });
        });
        return true;
      } catch (error) {
        const failure = failureOf(error);
        if (failure?.extra.protocol === "UNKNOWN_MEMBER_ID") return true;
        if (failure === undefined || !failure.retriable || performance.now() > deadline) return false;
        await Bun.sleep(300);
      }
    }
  } finally {
    await cluster.disconnect().catch(() => {});
  }
}
