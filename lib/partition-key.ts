/**
 * A topic-partition as one Map key. NUL cannot occur in a topic name, so no two partitions share
 * a key. In memory only: keys are never written to a file or the wire.
 */
export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
