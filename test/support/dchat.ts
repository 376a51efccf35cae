/**
 * Runs dchat as users do: the compiled binary `dist/dchat` (built by the test command before the
 * tests), or the sources when `DCHAT_TEST_SOURCES=1` for a quick edit-test loop.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./broker.ts";

export const binary = join(repoRoot, "dist", "dchat");

export function dchatCommand(): string[] {
  if (process.env.DCHAT_TEST_SOURCES === "1") return [process.execPath, join(repoRoot, "main.ts")];
  if (!existsSync(binary))
    throw new Error("dist/dchat is missing: run `npm run build` (npm test does it for you)");
  return [binary];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dchat ARGS` to completion with an isolated environment (no user config file). */
export async function runDchat(
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const proc = Bun.spawn([...dchatCommand(), ...args], {
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home"), ...options.env },
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}
