/**
 * `dchat audit report`: the archive's statistics as one self-contained HTML page (charts, a
 * word cloud, per-room counts), read in one pass like `audit stats`.
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { readMessages } from "../audit/read.ts";
import { selection, selectionFlags } from "../audit/selection.ts";
import { type Io, parseFlags, positiveInt } from "../cli.ts";
import { ExitCode, UserError } from "../errors.ts";
import { finish, gather, startGathering } from "./aggregate.ts";
import { reportHtml } from "./html.ts";

const DEFAULT_OUT = "report.html";
const DEFAULT_TOP = 20;
const CLOUD_WORDS = 100;

export const reportUsage =
  "       dchat audit report [--dir DIR] [--room R] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--top N] [--out FILE]";

export const reportHelp = `report: the same selection as stats, written as one self-contained HTML page (default
${DEFAULT_OUT}): messages over time, top senders (--top, default ${DEFAULT_TOP}), a cloud of the
${CLOUD_WORDS} most used words, rooms, the archive's range and counts. Aggregates only; nothing in it
loads from the network.`;

const flags = { ...selectionFlags, top: { type: "string" }, out: { type: "string" } } as const;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export async function reportCommand(argv: string[], io: Io): Promise<number | UserError> {
  const parsed = parseFlags(argv, flags, "audit", { positionals: false });
  if (parsed instanceof UserError) return parsed;
  const { values } = parsed;
  const selected = selection(values, io.env, "report");
  if (selected instanceof UserError) return selected;
  const top = positiveInt(values.top, "--top") ?? DEFAULT_TOP;
  if (top instanceof UserError) return top;
  const out = resolve(values.out ?? DEFAULT_OUT);

  const gathering = startGathering();
  const read = await readMessages(selected.dir, selected.filter, (m) => gather(gathering, m));
  if (read instanceof UserError) return read;
  const data = finish(gathering, { users: top, words: CLOUD_WORDS });
  const html = await reportHtml(data, {
    dir: selected.dir,
    ...selected.filter,
    files: read.files,
    generated: new Date(),
  });
  try {
    writeFileSync(`${out}.tmp`, html);
    renameSync(`${out}.tmp`, out);
  } catch (error) {
    rmSync(`${out}.tmp`, { force: true });
    return new UserError(`cannot write the report: ${(error as Error).message}`);
  }
  io.stdout.write(
    `wrote ${out}: ${data.messages.toLocaleString("en-US")} messages from ${read.files} files, ${megabytes(Buffer.byteLength(html))}\n`,
  );
  return ExitCode.Ok;
}
