/**
 * The only way a test may skip: with a reason, recorded in .tmp/skips.log so that the test command
 * prints every skip and its reason at the end (a skip must never pass for a success unseen).
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./broker.ts";

export const skipLog = join(repoRoot, ".tmp", "skips.log");

/** `reason` when the tests must be skipped, `false` when they run; use as `test.skipIf(skipped(…))`. */
export function skipped(reason: string | false): boolean {
  if (reason === false) return false;
  mkdirSync(join(repoRoot, ".tmp"), { recursive: true });
  appendFileSync(skipLog, `${reason}\n`);
  return true;
}

/** Why the tests needing the local broker's extra listeners or scripts/kafka are skipped, if they are. */
export const externalCluster = (what: string): string | false =>
  process.env.DCHAT_TEST_BROKERS ? `${what}: DCHAT_TEST_BROKERS points at an external cluster` : false;
