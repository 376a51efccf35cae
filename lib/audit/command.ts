/**
 * `dchat audit` (one archiving run) and `dchat audit stats` (statistics over an archive).
 * Flags and environment in, exit code or UserError out; the work is in run.ts and read.ts.
 */
import { type Command, type Io, parseFlags, positiveInt } from "../cli.ts";
import { kafkaFlags, kafkaFlagsHelp, kafkaSettings } from "../config.ts";
import { ExitCode, UserError, usageError } from "../errors.ts";
import { failureOf, kafkaFailure, openKafka } from "../kafka/index.ts";
import { reportCommand, reportHelp, reportUsage } from "../report/command.ts";
import { startCommitter } from "./committer.ts";
import { progressBar } from "./progress.ts";
import { readMessages } from "./read.ts";
import { type RunReport, runAudit } from "./run.ts";
import { archiveDir, selection, selectionFlags } from "./selection.ts";
import { kafkaSource } from "./source.ts";
import { addMessage, emptyTally, settle, summarize } from "./stats.ts";
import { count, renderSummary } from "./table.ts";

const DEFAULT_TOP = 10;
const LIMITS = { maxRecords: 50_000, maxBytes: 2 * 1024 * 1024 };

const help = `usage: dchat audit [--rooms a,b | --room-pattern REGEX] [--out DIR] [--top N] [--no-stats] [--json] [--file-records N]
       dchat audit stats [--dir DIR] [--room R] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--top N] [--json]
${reportUsage}

Archives every record that is new since the previous run, from every partition of every audited
room, into Parquet under DIR, exactly once even if a run is killed; then prints a summary and the
statistics of the new messages. On a terminal a progress bar shows the backlog meanwhile (records,
rate, time left). Made to run hourly from cron or a systemd timer.

  --out DIR             archive directory [$AUDIT_PATH]
  --rooms a,b           audit only these rooms (default: every room)
  --room-pattern REGEX  audit the rooms whose name matches REGEX
  --top N               rows per statistics table (default ${DEFAULT_TOP})
  --file-records N      start a new file after N records (default ${LIMITS.maxRecords}; files also
                        end at ${LIMITS.maxBytes / 1024 / 1024} MiB of record values)
  --no-stats            print only the archiving summary
  --json                print the summary and statistics as one JSON object

stats: user count, word count and time count over message_processed (or an archive written by
the original Spark job) in DIR [$AUDIT_PATH], optionally one room and a date range (local dates,
inclusive).

${reportHelp}

Layout: DIR/messages_audit/room=<room>/<topic>+<partition>+<first>+<last>.parquet (every record),
DIR/message_processed/date=YYYY-MM-DD/… (the original DAG's view), DIR/_dchat_audit_state.json.

Exit codes: 0 done (also when nothing was new), 1 failure, 2 bad usage,
75 another run holds the lock (try again later).

${kafkaFlagsHelp}`;

const runFlags = {
  ...kafkaFlags,
  out: { type: "string" },
  rooms: { type: "string" },
  "room-pattern": { type: "string" },
  top: { type: "string" },
  "no-stats": { type: "boolean" },
  json: { type: "boolean" },
  "file-records": { type: "string" },
} as const;

const statsFlags = {
  ...selectionFlags,
  top: { type: "string" },
  json: { type: "boolean" },
} as const;

function roomPattern(text: string | undefined): RegExp | undefined | UserError {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text, "u");
  } catch (error) {
    return usageError(`--room-pattern is not a valid regular expression: ${(error as Error).message}`);
  }
}

function printReport(
  report: RunReport,
  out: string,
  io: Io,
  { top, stats, json, workers }: { top: number; stats: boolean; json: boolean; workers: number },
): void {
  const written = report.partitions.filter((p) => p.records > 0);
  const records = written.reduce((n, p) => n + p.records, 0);
  const summary = stats ? summarize(report.counts, top) : undefined;
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ out, records, workers, partitions: report.partitions, gaps: report.gaps, stats: summary })}\n`,
    );
    return;
  }
  if (report.removedTemps + report.removedOrphans > 0) {
    io.stdout.write(
      `recovered from an interrupted run: removed ${report.removedTemps} temporary and ${report.removedOrphans} uncommitted files\n`,
    );
  }
  if (written.length === 0) {
    io.stdout.write(`nothing new: the archive in ${out} is up to date\n`);
    return;
  }
  for (const p of written) {
    const bad = p.bad > 0 ? `, ${count(p.bad, "bad record")} kept` : "";
    io.stdout.write(
      `room "${p.room}" partition ${p.partition}: ${count(p.records, "record")} (offsets ${p.from}..${p.to - 1}${bad}), ${count(p.files, "file")}\n`,
    );
  }
  io.stdout.write(`archived ${count(records, "record")} into ${out}\n`);
  if (summary !== undefined && summary.messages > 0)
    io.stdout.write(`\n${renderSummary(summary, io.stdout.columns ?? 80)}`);
}

async function runCommand(argv: string[], io: Io): Promise<number | UserError> {
  const parsed = parseFlags(argv, runFlags, "audit", { positionals: false });
  if (parsed instanceof UserError) return parsed;
  const { values } = parsed;
  const out = archiveDir(values.out, io.env, "--out");
  if (out instanceof UserError) return out;
  if (values.rooms !== undefined && values["room-pattern"] !== undefined) {
    return usageError("give --rooms or --room-pattern, not both");
  }
  const pattern = roomPattern(values["room-pattern"]);
  if (pattern instanceof UserError) return pattern;
  const top = positiveInt(values.top, "--top") ?? DEFAULT_TOP;
  if (top instanceof UserError) return top;
  const fileRecords = positiveInt(values["file-records"], "--file-records") ?? LIMITS.maxRecords;
  if (fileRecords instanceof UserError) return fileRecords;
  const settings = kafkaSettings(values, io.env);
  if (settings instanceof UserError) return settings;

  const rooms = values.rooms
    ?.split(",")
    .map((r) => r.trim())
    .filter((r) => r !== "");
  const stats = values["no-stats"] !== true;
  // On a terminal only: a pipe, a log file or cron gets the summary alone.
  const bar = values.json !== true && io.stderr.isTTY ? progressBar(io.stderr) : null;
  try {
    const source = await kafkaSource(openKafka(settings, { retries: 3 }));
    const committer = await startCommitter();
    try {
      const report = await runAudit(source, committer, {
        out,
        ...(rooms !== undefined ? { rooms } : {}),
        ...(pattern !== undefined ? { roomPattern: pattern } : {}),
        limits: { ...LIMITS, maxRecords: fileRecords },
        stats,
        now: () => new Date(),
        warn: (line) => {
          bar?.clear();
          io.stderr.write(`${line}\n`);
        },
        ...(bar !== null ? { progress: bar.update } : {}),
      });
      bar?.clear();
      if (report instanceof UserError) return report;
      printReport(report, out, io, { top, stats, json: values.json === true, workers: committer.workers });
      return ExitCode.Ok;
    } finally {
      bar?.clear();
      committer.close();
      await source.close().catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof UserError) return error;
    if (isFileError(error)) return new UserError(`cannot write the archive: ${(error as Error).message}`);
    if (failureOf(error) !== undefined) return kafkaFailure(error, settings);
    throw error;
  }
}

function isFileError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    typeof code === "string" && /^E(ACCES|PERM|NOSPC|ROFS|NOTDIR|ISDIR|EXIST|NOENT|DQUOT|IO)$/.test(code)
  );
}

async function statsCommand(argv: string[], io: Io): Promise<number | UserError> {
  const parsed = parseFlags(argv, statsFlags, "audit", { positionals: false });
  if (parsed instanceof UserError) return parsed;
  const { values } = parsed;
  const selected = selection(values, io.env, "stats");
  if (selected instanceof UserError) return selected;
  const { dir, filter } = selected;
  const top = positiveInt(values.top, "--top") ?? DEFAULT_TOP;
  if (top instanceof UserError) return top;

  const tally = emptyTally();
  const read = await readMessages(dir, filter, (m) => addMessage(tally, m.sender, m.message, m.localMicros));
  if (read instanceof UserError) return read;
  const summary = summarize(settle(tally), top);
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify({ dir, files: read.files, ...filter, ...summary })}\n`);
  } else {
    io.stdout.write(renderSummary(summary, io.stdout.columns ?? 80));
  }
  return ExitCode.Ok;
}

export const auditCommand: Command = {
  name: "audit",
  summary: "archive every chat record to Parquet exactly once, and show statistics",
  help,
  run(argv, io) {
    if (argv[0] === "stats") return statsCommand(argv.slice(1), io);
    if (argv[0] === "report") return reportCommand(argv.slice(1), io);
    return runCommand(argv, io);
  },
};
