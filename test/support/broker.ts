/**
 * The real broker integration tests talk to. `$DCHAT_TEST_BROKERS` points the tests at an existing
 * cluster; otherwise `scripts/kafka start` (idempotent) makes sure the local one is up.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const repoRoot = join(import.meta.dir, "..", "..");
let address: Promise<string> | undefined;

export function brokerAddress(): Promise<string> {
  address ??= (async () => {
    const external = process.env.DCHAT_TEST_BROKERS;
    if (external) return external;
    const started = spawnSync(join(repoRoot, "scripts", "kafka"), ["start"], { encoding: "utf8" });
    if (started.status !== 0)
      throw new Error(`scripts/kafka start failed:\n${started.stderr}${started.stdout}`);
    return `127.0.0.1:${process.env.DCHAT_KAFKA_PORT ?? 9092}`;
  })();
  return address;
}

/** A topic name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** The SASL and TLS listeners scripts/kafka adds to the local broker (none on an external cluster). */
export async function securedListeners() {
  if (process.env.DCHAT_TEST_BROKERS) return undefined;
  const port = Number((await brokerAddress()).split(":")[1]);
  return {
    sasl: `127.0.0.1:${port + 2}`,
    ssl: `127.0.0.1:${port + 3}`,
    ca: join(repoRoot, ".cache", "kafka", String(port), "node-1", "ca.pem"),
    username: "dchat",
    password: "dchat-secret",
  };
}
