/**
 * `dchat movies fetch`: the bot's movie list from the KOBIS Open API. Flags in, a summary line
 * out (a progress bar of the pages while stderr is a terminal); the paging is in download.ts.
 */
import { resolve } from "node:path";
import { cursorTo, eraseEndLine } from "ansi-escapes";
import { type Command, type Io, parseFlags, positiveInt } from "../cli.ts";
import { ExitCode, UserError, usageError } from "../errors.ts";
import { download, kobisDay } from "./download.ts";
import { KOBIS_URL, type MovieQuery, PAGE_SIZE } from "./kobis.ts";

const DAILY_LIMIT = 3000;
const TIMEOUT_S = 30;
const RETRY_DELAYS_MS = [1000, 3000];

const help = `usage: dchat movies fetch --key KEY --out FILE [--year-from YYYY] [--year-to YYYY]
                          [--opened-from YYYY] [--opened-to YYYY] [--api-url URL]
                          [--daily-limit N] [--timeout SECONDS]

Downloads the movie list of the KOBIS Open API (searchMovieList, ${PAGE_SIZE} movies a call) into FILE,
in the nested shape \`dchat bot --movies FILE\` reads. An interrupted download (a failure, the
daily limit, Ctrl-C) is kept in FILE.partial and the same command continues it.

  --key KEY           the KOBIS API key [$KOBIS_KEY; the variable keeps it out of \`ps\`]
  --out FILE          where the list goes
  --year-from YYYY    only films produced in or after this year (prdtStartYear)
  --year-to YYYY      only films produced in or before this year (prdtEndYear)
  --opened-from YYYY  only films opened in or after this year (openStartDt)
  --opened-to YYYY    only films opened in or before this year (openEndDt)
  --api-url URL       another server than KOBIS (a mirror) [${KOBIS_URL}]
  --daily-limit N     calls this key may make per KOBIS day, failed ones included
                      (default ${DAILY_LIMIT}); the download stops there and continues tomorrow
  --timeout SECONDS   give up on a call after this long (default ${TIMEOUT_S}); timeouts, cut
                      connections and server errors are tried ${RETRY_DELAYS_MS.length} more times

Exit codes: 0 done, 1 the API failed (what it said is printed; run again to continue),
2 bad usage, 75 the daily limit is reached (run again tomorrow), 130 interrupted (Ctrl-C or
SIGTERM; run again to continue).`;

const flags = {
  key: { type: "string" },
  out: { type: "string" },
  "year-from": { type: "string" },
  "year-to": { type: "string" },
  "opened-from": { type: "string" },
  "opened-to": { type: "string" },
  "api-url": { type: "string" },
  "daily-limit": { type: "string" },
  timeout: { type: "string" },
} as const;

const YEAR = /^\d{4}$/;

function queryOf(values: Record<string, string | boolean | undefined>): MovieQuery | UserError {
  const query: MovieQuery = {};
  const names = [
    ["year-from", "prdtStartYear"],
    ["year-to", "prdtEndYear"],
    ["opened-from", "openStartDt"],
    ["opened-to", "openEndDt"],
  ] as const;
  for (const [flag, param] of names) {
    const value = values[flag];
    if (typeof value !== "string") continue;
    if (!YEAR.test(value)) return usageError(`--${flag} must be a year like 2019, got "${value}"`);
    query[param] = value;
  }
  return query;
}

function apiUrlOf(value: string | undefined): string | UserError {
  if (value === undefined) return KOBIS_URL;
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return url.toString();
  } catch {}
  return usageError(`--api-url must be an http(s) URL, got "${value}"`);
}

/**
 * A bar of pages on stderr while it is a terminal; nothing on a pipe or under cron. Drawn by
 * hand on one line: @clack/prompts' progress puts stdin in raw mode and turns Ctrl-C into
 * exit status 0, where an interrupted download must say where it stopped and exit 130.
 */
function pageBar(io: Io): { onPage(done: number, total: number): void; stop(): void } {
  if (!io.stderr.isTTY) return { onPage() {}, stop() {} };
  const started = performance.now();
  let first = -1;
  let drawn = false;
  return {
    onPage(done, total) {
      if (first < 0) first = done;
      const width = 30;
      const filled = Math.round((width * done) / Math.max(total, 1));
      const seconds = (performance.now() - started) / 1000;
      const rate = (done - first + 1) / Math.max(seconds, 0.001);
      const left = Math.ceil((total - done) / rate);
      io.stderr.write(
        `${cursorTo(0)}${eraseEndLine}KOBIS ${"█".repeat(filled)}${"░".repeat(width - filled)} page ${done} of ${total} · ${rate.toFixed(1)} pages/s · ${left} s left`,
      );
      drawn = true;
    },
    stop() {
      if (drawn) io.stderr.write(`${cursorTo(0)}${eraseEndLine}`);
    },
  };
}

/** Ctrl-C and SIGTERM stop the download between two writes, so what it holds is kept whole. */
function interruption(io: Io): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const offs = [io.signals.on("SIGINT", abort), io.signals.on("SIGTERM", abort)];
  return {
    signal: controller.signal,
    release() {
      for (const off of offs) off();
    },
  };
}

async function fetchCommand(argv: string[], io: Io): Promise<number | UserError> {
  const parsed = parseFlags(argv, flags, "movies", { positionals: false });
  if (parsed instanceof UserError) return parsed;
  const { values } = parsed;
  const key = values.key ?? io.env.KOBIS_KEY;
  if (key === undefined || key === "") return usageError("no API key: give --key KEY or set KOBIS_KEY");
  if (values.out === undefined || values.out === "") return usageError("give --out FILE");
  const query = queryOf(values);
  if (query instanceof UserError) return query;
  const apiUrl = apiUrlOf(values["api-url"]);
  if (apiUrl instanceof UserError) return apiUrl;
  const dailyLimit = positiveInt(values["daily-limit"], "--daily-limit") ?? DAILY_LIMIT;
  if (dailyLimit instanceof UserError) return dailyLimit;
  const timeout = positiveInt(values.timeout, "--timeout") ?? TIMEOUT_S;
  if (timeout instanceof UserError) return timeout;
  const out = resolve(values.out);

  const bar = pageBar(io);
  const stop = interruption(io);
  try {
    const result = await download({
      apiUrl,
      key,
      query,
      out,
      dailyLimit,
      timeoutMs: timeout * 1000,
      retryDelaysMs: RETRY_DELAYS_MS,
      today: () => kobisDay(new Date()),
      onPage: bar.onPage,
      stop: stop.signal,
    });
    bar.stop();
    if (result instanceof UserError) return result;
    const resumed = result.resumedAt > 1 ? `, continued from page ${result.resumedAt}` : "";
    const skipped = result.withoutCode > 0 ? ` (${result.withoutCode} entries without movieCd left out)` : "";
    io.stdout.write(
      `wrote ${result.movies} movies to ${out}${skipped}: ${result.pages} pages, ${result.calls} calls this run${resumed}\n`,
    );
    return ExitCode.Ok;
  } catch (error) {
    bar.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code.startsWith("E")) {
      return new UserError(`cannot write ${out} or ${out}.partial: ${(error as Error).message}`);
    }
    throw error;
  } finally {
    stop.release();
  }
}

export const moviesCommand: Command = {
  name: "movies",
  summary: "download the bot's movie list from the KOBIS Open API",
  help,
  run(argv, io) {
    if (argv[0] === "fetch") return fetchCommand(argv.slice(1), io);
    const what = argv[0] === undefined ? "missing subcommand" : `unknown subcommand "${argv[0]}"`;
    return Promise.resolve(usageError(`${what} (dchat movies fetch; see dchat movies --help)`));
  },
};
