/**
 * A local stand-in for KOBIS's searchMovieList, serving the KOBIS fixture (its 700 distinct
 * movies) in the API's real response shape, with the filters dchat uses, the API's fault for a
 * bad key, and, on cue, the failures a download meets: a connection cut in the middle of a
 * body, an HTML error page, a call that never answers, the quota fault, a slow answer.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { repoRoot } from "../support/broker.ts";

export const GOOD_KEY = "test-key-0123456789abcdef";

type Movie = Record<string, unknown> & { movieCd: string; prdtYear: string; openDt: string };

export const fixtureMovies: Movie[] = (() => {
  const all = JSON.parse(readFileSync(join(repoRoot, "test", "fixtures", "kobis", "movieList.json"), "utf8"));
  const seen = new Set<string>();
  return (all as Movie[]).filter((m) => !seen.has(m.movieCd) && seen.add(m.movieCd));
})();

/** What to do instead of answering page `page`, the next `times` times it is asked for. */
export type Trouble = { page: number; times: number; kind: "cut" | "html" | "hang" | "quota" | "slow" };

export interface KobisServer {
  url: string;
  /** Every request's query string, in order. */
  requests: URLSearchParams[];
  trouble: Trouble[];
  close(): Promise<void>;
}

function matches(movie: Movie, q: URLSearchParams): boolean {
  const year = movie.prdtYear;
  const opened = movie.openDt.slice(0, 4);
  const from = (name: string, value: string) =>
    !q.get(name) || (value !== "" && value >= (q.get(name) ?? ""));
  const to = (name: string, value: string) => !q.get(name) || (value !== "" && value <= (q.get(name) ?? ""));
  return (
    from("prdtStartYear", year) &&
    to("prdtEndYear", year) &&
    from("openStartDt", opened) &&
    to("openEndDt", opened)
  );
}

function json(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { "content-type": "application/json;charset=UTF-8" });
  res.end(text);
}

function answer(server: KobisServer, req: IncomingMessage, res: ServerResponse): void {
  const q = new URL(req.url ?? "/", "http://localhost").searchParams;
  server.requests.push(q);
  if (q.get("key") !== GOOD_KEY) {
    json(res, { faultInfo: { message: "유효하지않은 키값입니다.", errorCode: "320010" } });
    return;
  }
  const page = Number(q.get("curPage") ?? "1");
  const size = Number(q.get("itemPerPage") ?? "10");
  const trouble = server.trouble.find((t) => t.page === page && t.times > 0);
  if (trouble !== undefined) {
    trouble.times--;
    if (trouble.kind === "hang") return; // never answers; the socket closes with the server
    if (trouble.kind === "slow") {
      setTimeout(() => serve(res, q, page, size), 600);
      return;
    }
    if (trouble.kind === "quota") {
      json(res, { faultInfo: { message: "일일 사용량을 초과했습니다.", errorCode: "320011" } });
      return;
    }
    if (trouble.kind === "html") {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>");
      return;
    }
    const body = JSON.stringify({ movieListResult: { totCnt: fixtureMovies.length, movieList: [] } });
    res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length * 4) });
    res.write(body.slice(0, body.length >> 1));
    res.socket?.destroy();
    return;
  }
  serve(res, q, page, size);
}

function serve(res: ServerResponse, q: URLSearchParams, page: number, size: number): void {
  const selected = fixtureMovies.filter((m) => matches(m, q));
  json(res, {
    movieListResult: {
      totCnt: selected.length,
      source: "영화진흥위원회",
      movieList: selected.slice((page - 1) * size, page * size),
    },
  });
}

export async function startKobisServer(): Promise<KobisServer> {
  const server: KobisServer = { url: "", requests: [], trouble: [], close: async () => {} };
  const http: Server = createServer((req, res) => answer(server, req, res));
  await new Promise<void>((ready) => http.listen(0, "127.0.0.1", ready));
  const { port } = http.address() as AddressInfo;
  server.url = `http://127.0.0.1:${port}/kobisopenapi/webservice/rest/movie/searchMovieList.json`;
  server.close = () =>
    new Promise<void>((done) => {
      http.closeAllConnections();
      http.close(() => done());
    });
  return server;
}

export const pagesAsked = (server: KobisServer) => server.requests.map((q) => Number(q.get("curPage")));
