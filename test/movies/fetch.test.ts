/**
 * `dchat movies fetch` (the compiled binary) against a local server in KOBIS's response shape:
 * a whole download the bot can load, the filters, resuming after a cut connection, the daily
 * limit, one-line errors, and the progress bar on a terminal only.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { movieDb, moviesFromJson } from "../../lib/bot/movies.ts";
import { repoRoot, uniqueName } from "../support/broker.ts";
import { dchatCommand, runDchat } from "../support/dchat.ts";
import { fixtureMovies, GOOD_KEY, type KobisServer, pagesAsked, startKobisServer } from "./kobis-server.ts";

let server: KobisServer;
let dir: string;

beforeEach(async () => {
  server = await startKobisServer();
  dir = join(repoRoot, ".tmp", uniqueName("movies-fetch"));
  mkdirSync(dir, { recursive: true });
});
afterEach(() => server.close());

const fetchMovies = (out: string, ...more: string[]) =>
  runDchat(["movies", "fetch", "--key", GOOD_KEY, "--out", out, "--api-url", server.url, ...more]);

function written(out: string): { totCnt: number; movieList: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(out, "utf8")).movieListResult;
}

const codes = (movies: Record<string, unknown>[]) => movies.map((m) => m.movieCd).sort();

describe("dchat movies fetch", () => {
  test("pages through the whole list, 100 a call, into a file the bot loads", async () => {
    const out = join(dir, "movies.json");
    const result = await fetchMovies(out);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`wrote 700 movies to ${out}: 7 pages, 7 calls this run\n`);
    expect(pagesAsked(server)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(server.requests.every((q) => q.get("itemPerPage") === "100" && q.get("key") === GOOD_KEY)).toBe(
      true,
    );
    const list = written(out);
    expect(list.totCnt).toBe(700);
    expect(codes(list.movieList)).toEqual(codes(fixtureMovies));
    expect(list.movieList[0]).toEqual(fixtureMovies[0] as Record<string, unknown>);
    const movies = moviesFromJson(JSON.parse(readFileSync(out, "utf8")));
    if (typeof movies === "string") throw new Error(movies);
    const db = movieDb(movies);
    expect(db.size).toBe(700);
    expect(db.lookup("기생수 파트2")[0]?.directors).toEqual(["야마자키 타카시"]);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  test("--year-from/--year-to and --opened-from/--opened-to become KOBIS's year filters", async () => {
    const out = join(dir, "years.json");
    const result = await fetchMovies(out, "--year-from", "2016", "--year-to", "2017", "--opened-to", "2017");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const q = server.requests[0] as URLSearchParams;
    expect([q.get("prdtStartYear"), q.get("prdtEndYear"), q.get("openEndDt")]).toEqual([
      "2016",
      "2017",
      "2017",
    ]);
    const expected = fixtureMovies.filter(
      (m) =>
        m.prdtYear >= "2016" && m.prdtYear <= "2017" && m.openDt !== "" && m.openDt.slice(0, 4) <= "2017",
    );
    expect(expected.length).toBeGreaterThan(100);
    expect(codes(written(out).movieList)).toEqual(codes(expected));
  });

  test("a connection cut mid-body is retried, then reported in one line; the next run resumes at that page", async () => {
    const out = join(dir, "cut.json");
    server.trouble.push({ page: 3, times: 3, kind: "cut" });
    const cut = await fetchMovies(out);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toBe("");
    expect(cut.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(cut.stderr).toStartWith("dchat movies: page 3: the connection failed");
    expect(cut.stderr).toContain(
      `200 movies are kept in ${out}.partial; the same command continues from page 3`,
    );
    expect(pagesAsked(server)).toEqual([1, 2, 3, 3, 3]);
    expect(existsSync(out)).toBe(false);

    server.requests.length = 0;
    const resumed = await fetchMovies(out);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe(
      `wrote 700 movies to ${out}: 7 pages, 5 calls this run, continued from page 3\n`,
    );
    expect(pagesAsked(server)).toEqual([3, 4, 5, 6, 7]);
    expect(codes(written(out).movieList)).toEqual(codes(fixtureMovies));
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  test("kill -9 in the middle of a download loses nothing: the next run asks from the first page it lacks", async () => {
    const out = join(dir, "killed.json");
    server.trouble.push({ page: 4, times: 1, kind: "hang" });
    const proc = Bun.spawn(
      [...dchatCommand(), "movies", "fetch", "--key", GOOD_KEY, "--out", out, "--api-url", server.url],
      { stdout: "ignore", stderr: "ignore", env: { PATH: process.env.PATH ?? "" } },
    );
    // The sentinel: the server has been asked for page 4, so pages 1-3 are on disk.
    while (!pagesAsked(server).includes(4)) await Bun.sleep(20);
    proc.kill("SIGKILL");
    expect(await proc.exited).not.toBe(0);
    expect(proc.signalCode).toBe("SIGKILL");
    expect(existsSync(out)).toBe(false);

    server.requests.length = 0;
    const resumed = await fetchMovies(out);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(pagesAsked(server)).toEqual([4, 5, 6, 7]);
    expect(codes(written(out).movieList)).toEqual(codes(fixtureMovies));
  });

  test("SIGTERM stops a download at once, in one line (exit 130), and the next run resumes", async () => {
    const out = join(dir, "term.json");
    server.trouble.push({ page: 4, times: 1, kind: "hang" });
    const proc = Bun.spawn(
      [...dchatCommand(), "movies", "fetch", "--key", GOOD_KEY, "--out", out, "--api-url", server.url],
      { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "" } },
    );
    while (!pagesAsked(server).includes(4)) await Bun.sleep(20);
    proc.kill("SIGTERM");
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(code).toBe(130);
    expect(stderr).toBe(
      `dchat movies: interrupted: 300 movies are kept in ${out}.partial; the same command continues from page 4\n`,
    );
    server.requests.length = 0;
    expect((await fetchMovies(out)).code).toBe(0);
    expect(pagesAsked(server)).toEqual([4, 5, 6, 7]);
  });

  test("Ctrl-C on a terminal stops the download where it is, says so, and exits 130", async () => {
    const out = join(dir, "ctrl-c.json");
    server.trouble.push({ page: 4, times: 1, kind: "hang" });
    let screen = "";
    const proc = Bun.spawn(
      [...dchatCommand(), "movies", "fetch", "--key", GOOD_KEY, "--out", out, "--api-url", server.url],
      {
        env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home") },
        terminal: {
          cols: 100,
          rows: 20,
          data: (_t, bytes) => {
            screen += new TextDecoder().decode(bytes);
          },
        },
      },
    );
    while (!pagesAsked(server).includes(4) || !screen.includes("page 3 of 7")) await Bun.sleep(20);
    proc.terminal?.write("\x03");
    expect(await proc.exited).toBe(130);
    expect(screen).toContain(`dchat movies: interrupted: 300 movies are kept in ${out}.partial`);
    server.requests.length = 0;
    expect((await fetchMovies(out)).code).toBe(0);
    expect(pagesAsked(server)).toEqual([4, 5, 6, 7]);
  });

  test("a cut that heals within the retries costs nothing but the retry", async () => {
    const out = join(dir, "heal.json");
    server.trouble.push({ page: 2, times: 1, kind: "cut" });
    const result = await fetchMovies(out);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(pagesAsked(server)).toEqual([1, 2, 2, 3, 4, 5, 6, 7]);
    expect(codes(written(out).movieList)).toEqual(codes(fixtureMovies));
  });

  test("an HTML error page is one line naming it, after the retries", async () => {
    const out = join(dir, "html.json");
    server.trouble.push({ page: 1, times: 3, kind: "html" });
    const result = await fetchMovies(out);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `dchat movies: page 1: the API answered with an HTML page (HTTP 502: "502 Bad Gateway") instead of a movie list (3 tries); 0 movies are kept in ${out}.partial; the same command continues from page 1\n`,
    );
  });

  test("a bad key is one line with KOBIS's own message, asked once", async () => {
    const out = join(dir, "key.json");
    const result = await runDchat([
      "movies",
      "fetch",
      "--key",
      "wrong",
      "--out",
      out,
      "--api-url",
      server.url,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith(
      "dchat movies: page 1: the API refused the call: 유효하지않은 키값입니다. (error 320010, HTTP 200);",
    );
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(server.requests).toHaveLength(1);
  });

  test("the quota fault stops at once, and the download continues later", async () => {
    const out = join(dir, "quota.json");
    server.trouble.push({ page: 4, times: 1, kind: "quota" });
    const stopped = await fetchMovies(out);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain(
      "page 4: the API refused the call: 일일 사용량을 초과했습니다. (error 320011",
    );
    expect(pagesAsked(server)).toEqual([1, 2, 3, 4]);
    server.requests.length = 0;
    const resumed = await fetchMovies(out);
    expect(resumed.code).toBe(0);
    expect(pagesAsked(server)).toEqual([4, 5, 6, 7]);
  });

  test("a call that never answers times out (--timeout), in one line", async () => {
    const out = join(dir, "hang.json");
    server.trouble.push({ page: 2, times: 3, kind: "hang" });
    const result = await fetchMovies(out, "--timeout", "1");
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith(
      "dchat movies: page 2: no answer within 1 s (3 tries); 100 movies are kept",
    );
  });

  test("the daily limit stops the download cleanly, counts across runs, and tomorrow's run finishes it", async () => {
    const out = join(dir, "limit.json");
    const first = await fetchMovies(out, "--daily-limit", "2");
    expect(first.code).toBe(75);
    expect(first.stderr).toMatch(
      /^dchat movies: stopped at the daily limit of 2 calls \(KOBIS day \d{4}-\d{2}-\d{2}, Korean time\): 200 movies are kept in .*\.partial; the same command continues from page 3 tomorrow\n$/,
    );
    expect(pagesAsked(server)).toEqual([1, 2]);

    const again = await fetchMovies(out, "--daily-limit", "2");
    expect(again.code).toBe(75);
    expect(pagesAsked(server)).toEqual([1, 2]);

    // "Tomorrow": the calls recorded in the partial file move to yesterday.
    const partial = readFileSync(`${out}.partial`, "utf8").replace(/"day":"[^"]*"/g, '"day":"2000-01-01"');
    writeFileSync(`${out}.partial`, partial);
    const tomorrow = await fetchMovies(out, "--daily-limit", "5");
    expect(tomorrow.stderr).toBe("");
    expect(tomorrow.code).toBe(0);
    expect(pagesAsked(server)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(codes(written(out).movieList)).toEqual(codes(fixtureMovies));
  });

  test("a partial download of other options is not mixed in", async () => {
    const out = join(dir, "mixed.json");
    expect((await fetchMovies(out, "--daily-limit", "1")).code).toBe(75);
    const other = await fetchMovies(out, "--year-from", "2019");
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("use the same options to continue it, or delete it");
  });

  test("bad flags are usage errors", async () => {
    const noKey = await runDchat(["movies", "fetch", "--out", join(dir, "x.json")]);
    expect([noKey.code, noKey.stderr]).toEqual([
      2,
      "dchat movies: no API key: give --key KEY or set KOBIS_KEY\n",
    ]);
    const year = await runDchat(["movies", "fetch", "--key", "k", "--out", "x", "--year-from", "19"]);
    expect([year.code, year.stderr]).toEqual([
      2,
      'dchat movies: --year-from must be a year like 2019, got "19"\n',
    ]);
    const url = await runDchat(["movies", "fetch", "--key", "k", "--out", "x", "--api-url", "ftp://x"]);
    expect(url.code).toBe(2);
    const nowhere = join(dir, "no-such-dir", "m.json");
    const unwritable = await fetchMovies(nowhere);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toStartWith(`dchat movies: cannot write ${nowhere} or ${nowhere}.partial: `);
    expect(unwritable.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  test("on a terminal, a progress bar of the pages (on a pipe only the summary: see the first test)", async () => {
    const out = join(dir, "tty.json");
    // Page 4 takes a moment, so the bar is drawn while pages 1-3 are in.
    server.trouble.push({ page: 4, times: 1, kind: "slow" });
    let screen = "";
    const proc = Bun.spawn(
      [...dchatCommand(), "movies", "fetch", "--key", GOOD_KEY, "--out", out, "--api-url", server.url],
      {
        env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home") },
        terminal: {
          cols: 100,
          rows: 20,
          data: (_t, bytes) => {
            screen += new TextDecoder().decode(bytes);
          },
        },
      },
    );
    expect(await proc.exited).toBe(0);
    expect(screen).toContain("page 3 of 7");
    expect(screen).toContain("wrote 700 movies");
  });
});
