/**
 * The KOBIS Open API's searchMovieList, one page at a time: the request URL, and the answer read
 * into a page or a problem described in one line (server text made terminal-safe). Nothing here
 * throws for what a server sends.
 */
import { safeText } from "../safe-text.ts";

export const KOBIS_URL = "https://www.kobis.or.kr/kobisopenapi/webservice/rest/movie/searchMovieList.json";
/** The API's largest page. */
export const PAGE_SIZE = 100;

/** searchMovieList's own filters (KOBIS takes years, YYYY, for both). */
export interface MovieQuery {
  prdtStartYear?: string;
  prdtEndYear?: string;
  openStartDt?: string;
  openEndDt?: string;
}

export interface Page {
  totCnt: number;
  movies: Record<string, unknown>[];
}

/**
 * Why a page could not be had. `retry`: worth asking again soon (a timeout, a cut connection,
 * a server error); otherwise asking again today will not help (a bad key, the quota).
 */
export interface PageProblem {
  problem: string;
  retry: boolean;
}

export function pageUrl(apiUrl: string, key: string, page: number, query: MovieQuery): string {
  const url = new URL(apiUrl);
  url.searchParams.set("key", key);
  url.searchParams.set("curPage", String(page));
  url.searchParams.set("itemPerPage", String(PAGE_SIZE));
  for (const [name, value] of Object.entries(query))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** One line of what a body says, for a message: an HTML page's title, else its first text. */
function gist(body: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1];
  const text = (title ?? body.replace(/<[^>]*>/g, " ")).replace(/[\u0000-\u001f\u007f\s]+/g, " ").trim();
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** Reads one searchMovieList answer: `{"movieListResult": {"totCnt", "movieList"}}` or `{"faultInfo"}`. */
export function readPage(status: number, body: string): Page | PageProblem {
  const serverFault = status >= 500 || status === 429;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const what = /^\s*</.test(body)
      ? "an HTML page"
      : body.trim() === ""
        ? "nothing"
        : "text that is not JSON";
    const said = gist(body);
    return {
      problem: `the API answered with ${what} (HTTP ${status}${said ? `: "${said}"` : ""}) instead of a movie list`,
      retry: serverFault,
    };
  }
  if (isObject(json) && isObject(json.faultInfo)) {
    const { errorCode, message } = json.faultInfo;
    return {
      problem: `the API refused the call: ${safeText(String(message ?? "no message"))} (error ${safeText(String(errorCode ?? "?"))}, HTTP ${status})`,
      retry: serverFault,
    };
  }
  if (status < 200 || status >= 300) {
    return { problem: `the API answered HTTP ${status} (${gist(body)})`, retry: serverFault };
  }
  const result = isObject(json) ? json.movieListResult : undefined;
  const totCnt = isObject(result) ? Number(result.totCnt) : Number.NaN;
  const list = isObject(result) ? result.movieList : undefined;
  if (!Number.isInteger(totCnt) || totCnt < 0 || !Array.isArray(list) || !list.every(isObject)) {
    return {
      problem: "the API answered JSON without movieListResult.totCnt and movieListResult.movieList",
      retry: false,
    };
  }
  return { totCnt, movies: list };
}

/**
 * Asks for one page; a network failure or a timeout is a problem worth retrying. `stop` aborts
 * the call (the caller then sees its own signal aborted).
 */
export async function fetchPage(
  url: string,
  timeoutMs: number,
  stop?: AbortSignal,
): Promise<Page | PageProblem> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      signal: stop ? AbortSignal.any([timeout, stop]) : timeout,
      headers: { accept: "application/json" },
    });
    return readPage(response.status, await response.text());
  } catch (error) {
    const problem = timeout.aborted
      ? `no answer within ${timeoutMs / 1000} s`
      : `the connection failed (${(error as Error).message})`;
    return { problem, retry: true };
  }
}

export function isProblem(value: Page | PageProblem): value is PageProblem {
  return "problem" in value;
}
