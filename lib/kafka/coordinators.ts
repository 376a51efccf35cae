/** Remembered coordinator lookups, for the bot's transactions (kafkajs looks one up per request). */
interface CoordinatorLookup {
  findGroupCoordinatorMetadata(request: { groupId: string; coordinatorType?: number }): Promise<unknown>;
}

let remembering = false;

/**
 * kafkajs asks the cluster which broker coordinates a group or transaction before every
 * transactional request: four FindCoordinator round trips in each of the bot's transactions,
 * beside five that do the work. This makes every client of the process remember each answer
 * for `ms`. A coordinator that moves is found again once that has passed; until then kafkajs
 * retries the requests the old one refuses, as it does for any moved coordinator.
 */
export async function rememberCoordinators(ms: number): Promise<void> {
  if (remembering) return;
  remembering = true;
  // @ts-expect-error kafkajs's internals carry no types
  const { default: Cluster } = (await import("kafkajs/src/cluster/index.js")) as {
    default: { prototype: CoordinatorLookup };
  };
  const lookup = Cluster.prototype.findGroupCoordinatorMetadata;
  const remembered = new WeakMap<object, Map<string, { at: number; answer: Promise<unknown> }>>();
  Cluster.prototype.findGroupCoordinatorMetadata = function (request) {
    const known = remembered.get(this) ?? new Map<string, { at: number; answer: Promise<unknown> }>();
    remembered.set(this, known);
    const key = `${request.coordinatorType ?? 0}\u0000${request.groupId}`;
    const entry = known.get(key);
    if (entry !== undefined && performance.now() - entry.at < ms) return entry.answer;
    const answer = lookup.call(this, request);
    known.set(key, { at: performance.now(), answer });
    answer.catch(() => known.delete(key));
    return answer;
  };
}
