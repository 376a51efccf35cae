/**
 * A download in progress, kept beside the output as `FILE.partial`: JSON lines, a header naming
 * the query, then one line per call (the page's movies, or a failed call), each with the KOBIS
 * day it was made on. Appending one line per page keeps saving linear in the download, and a
 * line cut short by a crash is dropped when the file is read back, so a download resumes at the
 * first page it does not hold completely.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { UserError } from "../errors.ts";
import type { MovieQuery } from "./kobis.ts";

export interface Header {
  dchat: "movies fetch";
  apiUrl: string;
  query: MovieQuery;
}

export interface PageLine {
  page: number;
  day: string;
  totCnt: number;
  movies: Record<string, unknown>[];
}

interface FailedLine {
  failed: number;
  day: string;
}

export interface Progress {
  /** The last totCnt the API gave, or null before the first page. */
  totCnt: number | null;
  /** Pages held, in order (page n is pages[n-1]). */
  pages: PageLine[];
  /** Calls made on each day, failed ones included. */
  calls: Map<string, number>;
}

const sameQuery = (a: Header, b: Header) =>
  a.apiUrl === b.apiUrl && JSON.stringify(a.query) === JSON.stringify(b.query);

function describe(header: Header): string {
  const filters = Object.entries(header.query).map(([k, v]) => `${k}=${v}`);
  return `${header.apiUrl}${filters.length > 0 ? ` with ${filters.join(", ")}` : ""}`;
}

/**
 * The partial download at `path` for `header` (empty when there is none), and the file open
 * for appending. A torn last line is cut off; a file of another query is the user's to remove.
 */
export function openPartial(path: string, header: Header): { progress: Progress; fd: number } | UserError {
  const progress: Progress = { totCnt: null, pages: [], calls: new Map() };
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const lines = text.split("\n");
  let goodBytes = 0;
  for (const [index, line] of lines.entries()) {
    // The last line has no newline only when a crash cut it short: dropped, and re-fetched.
    if (line === "" || index === lines.length - 1) break;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return new UserError(`${path} is damaged at line ${index + 1}: delete it to start the download over`);
    }
    if (index === 0) {
      if (!sameQuery(value as Header, header)) {
        return new UserError(
          `${path} holds a download of ${describe(value as Header)}, not ${describe(header)}: use the same options to continue it, or delete it`,
        );
      }
    } else if (typeof (value as PageLine).page === "number") {
      const page = value as PageLine;
      if (page.page !== progress.pages.length + 1) {
        return new UserError(`${path} is damaged at line ${index + 1}: delete it to start the download over`);
      }
      progress.pages.push(page);
      progress.totCnt = page.totCnt;
      progress.calls.set(page.day, (progress.calls.get(page.day) ?? 0) + 1);
    } else {
      const { day } = value as FailedLine;
      progress.calls.set(day, (progress.calls.get(day) ?? 0) + 1);
    }
    goodBytes += Buffer.byteLength(line) + 1;
  }
  const fd = openSync(path, existsSync(path) ? "r+" : "w+");
  ftruncateSync(fd, goodBytes);
  closeSync(fd);
  const append = openSync(path, "a");
  if (goodBytes === 0) writeSync(append, `${JSON.stringify(header)}\n`);
  return { progress, fd: append };
}

export function appendPage(fd: number, progress: Progress, line: PageLine): void {
  writeSync(fd, `${JSON.stringify(line)}\n`);
  progress.pages.push(line);
  progress.totCnt = line.totCnt;
  progress.calls.set(line.day, (progress.calls.get(line.day) ?? 0) + 1);
}

export function appendFailure(fd: number, progress: Progress, page: number, day: string): void {
  const line: FailedLine = { failed: page, day };
  writeSync(fd, `${JSON.stringify(line)}\n`);
  progress.calls.set(day, (progress.calls.get(day) ?? 0) + 1);
}
