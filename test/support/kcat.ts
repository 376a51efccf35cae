/** kcat (librdkafka) as the independent client in interop tests. */
import { spawnSync } from "node:child_process";

function kcat(args: string[], input?: string): Buffer {
  const result = spawnSync("kcat", args, { input, timeout: 30_000, maxBuffer: 256 * 1024 * 1024 });
  if (result.error)
    throw new Error(`kcat could not run (${result.error.message}): install it with apt-get install kcat`);
  if (result.status !== 0) throw new Error(`kcat ${args.join(" ")} failed: ${result.stderr.toString()}`);
  return result.stdout;
}

/** Every record value of the topic, from the beginning to the current end, in partition order. */
export function kcatConsume(brokers: string, topic: string): string[] {
  // "%S %s\n": each value prefixed by its byte length, so values may hold any bytes, newlines too.
  const out = kcat(["-b", brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%S %s\n"]);
  const values: string[] = [];
  let at = 0;
  while (at < out.length) {
    const space = out.indexOf(0x20, at);
    const size = Number(out.subarray(at, space).toString());
    values.push(out.subarray(space + 1, space + 1 + size).toString("utf8"));
    at = space + 1 + size + 1;
  }
  return values;
}

/** Every record of the topic with its partition and key, in partition order (values without newlines). */
export function kcatRecords(
  brokers: string,
  topic: string,
): { partition: number; key: string; value: string }[] {
  const out = kcat(["-b", brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p\t%k\t%s\n"]);
  return out
    .toString("utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [partition, key, ...value] = line.split("\t");
      return { partition: Number(partition), key: key ?? "", value: value.join("\t") };
    });
}

/** Produces each value as one record (values must not contain newlines). */
export function kcatProduce(brokers: string, topic: string, values: string[]): void {
  kcat(["-b", brokers, "-P", "-t", topic], `${values.join("\n")}\n`);
}

export function kcatTopicPartitions(brokers: string, topic: string): number {
  const out = kcat(["-b", brokers, "-L", "-t", topic, "-J"]).toString();
  const meta = JSON.parse(out) as { topics: { topic: string; partitions: unknown[] }[] };
  return meta.topics.find((t) => t.topic === topic)?.partitions.length ?? 0;
}
