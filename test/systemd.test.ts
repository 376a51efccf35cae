/**
 * The systemd units as systemd itself judges them: `systemd-analyze security --offline=yes` rates
 * each service's exposure (goal ≤ 2.0; the unhardened units were 6.5 and 8.5) and
 * `systemd-analyze verify` finds nothing wrong with the units and the timer. Only where the tool
 * exists (Debian's systemd package); elsewhere the skip and its reason are printed.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./support/broker.ts";
import { dchatCommand } from "./support/dchat.ts";
import { skipped } from "./support/skips.ts";

const tool = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
const absent =
  tool.error !== undefined || tool.status !== 0
    ? "systemd unit checks: systemd-analyze is not installed (Debian: apt-get install systemd)"
    : false;

const units = ["dchat-bot.service", "dchat-audit.service"];

function analyze(args: string[], cwd?: string) {
  return spawnSync("systemd-analyze", args, { encoding: "utf8", cwd });
}

describe.skipIf(skipped(absent))("systemd units", () => {
  for (const unit of units) {
    test(`${unit}: systemd-analyze security rates its exposure at most 2.0`, () => {
      const result = analyze(["security", "--offline=yes", "--no-pager", join(repoRoot, "scripts", unit)]);
      const level = /Overall exposure level for \S+: (\d+\.\d+)/.exec(result.stdout)?.[1];
      expect(level, result.stdout + result.stderr).toBeDefined();
      expect(Number(level)).toBeLessThanOrEqual(2.0);
    });
  }

  test("systemd-analyze verify finds nothing to say about the units and the timer", () => {
    // verify insists that ExecStart's program exists: copies point at the compiled binary.
    const dir = mkdtempSync(join(tmpdir(), "dchat-units-"));
    const [binary] = dchatCommand();
    const files = [...units, "dchat-audit.timer"];
    for (const name of files) {
      const text = readFileSync(join(repoRoot, "scripts", name), "utf8");
      writeFileSync(join(dir, name), text.replaceAll("/usr/local/bin/dchat", binary as string));
    }
    const result = analyze(["verify", ...files.map((f) => `./${f}`)], dir);
    expect(result.stderr + result.stdout).toBe("");
    expect(result.status).toBe(0);
  });
});
