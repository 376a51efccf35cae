/**
 * Pages through searchMovieList into `FILE.partial`, resuming where an earlier run stopped, and
 * writes FILE (the nested KOBIS shape the bot reads) once every page is in. It stops, keeping
 * what it has, at the daily call limit or when a page cannot be had after a few tries.
 */
import { closeSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { ExitCode, UserError } from "../errors.ts";
import {
  fetchPage,
  isProblem,
  type MovieQuery,
  PAGE_SIZE,
  type Page,
  type PageProblem,
  pageUrl,
} from "./kobis.ts";
import { appendFailure, appendPage, openPartial, type Progress } from "./partial.ts";

export interface Download {
  apiUrl: string;
  key: string;
  query: MovieQuery;
  out: string;
  /** Calls a key may make in one KOBIS day (3,000 for an ordinary key). */
  dailyLimit: number;
  timeoutMs: number;
  /** Waits before each retry of a page; their count is the number of retries. */
  retryDelaysMs: number[];
  /** The KOBIS day (Korean date) now, `YYYY-MM-DD`. */
  today(): string;
  /** After each page: pages held and pages in all. */
  onPage(done: number, total: number): void;
  /** Aborted by Ctrl-C or SIGTERM: the download stops where it is, resumable. */
  stop: AbortSignal;
}

export interface Downloaded {
  movies: number;
  pages: number;
  /** Calls made by this run, failed ones included. */
  calls: number;
  /** The page this run started at (1 for a fresh download). */
  resumedAt: number;
  /** Entries left out because they had no movieCd. */
  withoutCode: number;
}

/** The Korean calendar date, by which KOBIS counts a key's daily calls. */
export function kobisDay(now: Date): string {
  return new Date(now.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

const pagesOf = (totCnt: number) => Math.max(1, Math.ceil(totCnt / PAGE_SIZE));

function complete(progress: Progress): boolean {
  const last = progress.pages.at(-1);
  if (last === undefined || progress.totCnt === null) return false;
  return last.movies.length === 0 || progress.pages.length >= pagesOf(progress.totCnt);
}

function heldMovies(progress: Progress): number {
  return progress.pages.reduce((n, p) => n + p.movies.length, 0);
}

/** Every movie once (pages shift while KOBIS adds films), in the order the API gave them. */
function writeResult(out: string, progress: Progress): { movies: number; withoutCode: number } {
  const seen = new Set<string>();
  const movieList: Record<string, unknown>[] = [];
  let withoutCode = 0;
  for (const page of progress.pages) {
    for (const movie of page.movies) {
      const code = movie.movieCd;
      if (typeof code !== "string" || code === "") {
        withoutCode++;
        continue;
      }
      if (seen.has(code)) continue;
      seen.add(code);
      movieList.push(movie);
    }
  }
  const body = { movieListResult: { totCnt: progress.totCnt, source: "영화진흥위원회", movieList } };
  writeFileSync(`${out}.tmp`, JSON.stringify(body));
  renameSync(`${out}.tmp`, out);
  return { movies: movieList.length, withoutCode };
}

export async function download(plan: Download): Promise<Downloaded | UserError> {
  const partialPath = `${plan.out}.partial`;
  const opened = openPartial(partialPath, { dchat: "movies fetch", apiUrl: plan.apiUrl, query: plan.query });
  if (opened instanceof UserError) return opened;
  const { progress, fd } = opened;
  const resumedAt = progress.pages.length + 1;
  let calls = 0;
  const kept = (page: number) =>
    `${heldMovies(progress)} movies are kept in ${partialPath}; the same command continues from page ${page}`;
  const interrupted = (page: number) => new UserError(`interrupted: ${kept(page)}`, ExitCode.Interrupted);
  try {
    while (!complete(progress)) {
      const page = progress.pages.length + 1;
      let answer: Page | PageProblem | undefined;
      let tries = 0;
      for (let attempt = 0; attempt <= plan.retryDelaysMs.length; attempt++) {
        const day = plan.today();
        if ((progress.calls.get(day) ?? 0) >= plan.dailyLimit) {
          return new UserError(
            `stopped at the daily limit of ${plan.dailyLimit} calls (KOBIS day ${day}, Korean time): ${kept(page)} tomorrow`,
            ExitCode.Locked,
          );
        }
        if (attempt > 0) await Bun.sleep(plan.retryDelaysMs[attempt - 1] ?? 0);
        if (plan.stop.aborted) return interrupted(page);
        calls++;
        tries++;
        answer = await fetchPage(pageUrl(plan.apiUrl, plan.key, page, plan.query), plan.timeoutMs, plan.stop);
        if (plan.stop.aborted) return interrupted(page);
        if (!isProblem(answer)) {
          appendPage(fd, progress, { page, day, totCnt: answer.totCnt, movies: answer.movies });
          break;
        }
        appendFailure(fd, progress, page, day);
        if (!answer.retry) break;
      }
      if (answer !== undefined && isProblem(answer)) {
        const after = tries > 1 ? ` (${tries} tries)` : "";
        return new UserError(`page ${page}: ${answer.problem}${after}; ${kept(page)}`);
      }
      plan.onPage(progress.pages.length, pagesOf(progress.totCnt ?? 0));
    }
  } finally {
    closeSync(fd);
  }
  const written = writeResult(plan.out, progress);
  rmSync(partialPath, { force: true });
  return { ...written, pages: progress.pages.length, calls, resumedAt };
}
