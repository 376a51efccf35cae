/**
 * The flags that choose what part of an archive `audit stats` and `audit report` read: the
 * directory, a room, a range of local dates.
 */
import { resolve } from "node:path";
import type { Io } from "../cli.ts";
import { type UserError, usageError } from "../errors.ts";
import type { ReadFilter } from "./read.ts";

export const selectionFlags = {
  dir: { type: "string" },
  room: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
} as const;

export function archiveDir(flag: string | undefined, env: Io["env"], name: string): string | UserError {
  const dir = flag ?? env.AUDIT_PATH;
  if (dir === undefined || dir === "") {
    return usageError(`no archive directory: give ${name} DIR or set AUDIT_PATH`);
  }
  return resolve(dir);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function dateFlag(
  value: string | undefined,
  flag: string,
  command: string,
): string | undefined | UserError {
  if (value === undefined) return undefined;
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    return usageError(`${command} ${flag} must be a date like 2024-08-26, got "${value}"`);
  }
  return value;
}

/** The archive directory and filter the selection flags name. */
export function selection(
  values: { dir?: string; room?: string; since?: string; until?: string },
  env: Io["env"],
  command: string,
): { dir: string; filter: ReadFilter } | UserError {
  const dir = archiveDir(values.dir, env, "--dir");
  if (typeof dir !== "string") return dir;
  const since = dateFlag(values.since, "--since", command);
  if (typeof since === "object") return since;
  const until = dateFlag(values.until, "--until", command);
  if (typeof until === "object") return until;
  return {
    dir,
    filter: {
      ...(values.room !== undefined ? { room: values.room.normalize("NFC").trim() } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
    },
  };
}
