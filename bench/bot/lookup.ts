/**
 * The bot with a 100,000-movie list: a synthetic list written as the KOBIS file `dchat movies
 * fetch` writes (nested movieList entries), loaded the way `dchat bot --movies FILE` loads it,
 * beside Python (the original project's language) reading the same file into a dict by title in
 * the same run; then µs per question against the KOBIS fixture (900 movies) and the loaded
 * 100,000. A hit is one Map access after normalisation, so it must not grow with the database;
 * a miss also searches near titles with a bounded budget.
 *
 *   bun bench/bot/lookup.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadMovieFile, type Movie, type MovieDb, movieDb, moviesFromJson } from "../../lib/bot/movies.ts";
import { parseQuestion } from "../../lib/bot/query.ts";
import { replyTo } from "../../lib/bot/reply.ts";
import { UserError } from "../../lib/errors.ts";
import { repoRoot } from "../../test/support/broker.ts";

/** Deterministic pseudo-random titles of 2–8 Hangul syllables, some with a number or a subtitle. */
function syntheticMovies(count: number): Movie[] {
  let seed = 42;
  // mulberry32: a tiny PRNG with 32-bit integer arithmetic, so the list is the same every run.
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  const syllable = () => String.fromCharCode(0xac00 + (next() % 2350) * 4);
  return Array.from({ length: count }, (_, i) => {
    const length = 2 + (next() % 7);
    let title = Array.from({ length }, syllable).join("");
    if (i % 5 === 0) title += ` ${1 + (next() % 9)}`;
    if (i % 7 === 0) title += `: ${syllable()}${syllable()}`;
    return {
      code: `S${i}`,
      title,
      titleEn: `Synthetic ${i}`,
      year: String(1950 + (i % 75)),
      genres: ["드라마"],
      directors: ["감독"],
    };
  });
}

function timePerQuery(db: MovieDb, questions: string[], rounds: number): number {
  const parsed = questions.map((q) => parseQuestion(q)).filter((q) => q !== undefined);
  for (const q of parsed) replyTo(q, db);
  const started = Bun.nanoseconds();
  let sink = 0;
  for (let r = 0; r < rounds; r++) for (const q of parsed) sink += replyTo(q, db).length;
  const micros = (Bun.nanoseconds() - started) / 1000 / (rounds * parsed.length);
  if (sink === 0) throw new Error("no replies");
  return micros;
}

function pick<T>(list: T[], count: number): T[] {
  return Array.from({ length: count }, (_, i) => list[Math.floor((i * list.length) / count)] as T);
}

/** The movies as `dchat movies fetch` writes them: KOBIS's own envelope and entry shape. */
function kobisFile(movies: Movie[]): string {
  const movieList = movies.map((m) => ({
    movieCd: m.code,
    movieNm: m.title,
    movieNmEn: m.titleEn,
    prdtYear: m.year,
    openDt: `${m.year}0101`,
    typeNm: "장편",
    prdtStatNm: "개봉",
    nationAlt: "한국",
    genreAlt: m.genres.join(","),
    repNationNm: "한국",
    repGenreNm: m.genres[0] ?? "",
    directors: m.directors.map((peopleNm) => ({ peopleNm })),
    companys: [],
  }));
  return JSON.stringify({
    movieListResult: { totCnt: movieList.length, source: "영화진흥위원회", movieList },
  });
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

// The reference: the same file into a dict of title → entries, and 500 hits looked up.
const PYTHON = `
import json, sys, time
t = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as f:
    movies = json.load(f)["movieListResult"]["movieList"]
index = {}
for m in movies:
    index.setdefault(m["movieNm"].strip().lower(), []).append(m)
load = time.perf_counter() - t
titles = [movies[i * len(movies) // 500]["movieNm"] for i in range(500)]
t = time.perf_counter()
for _ in range(40):
    for title in titles:
        assert index[title.strip().lower()]
hit = (time.perf_counter() - t) / (40 * 500)
print(f"{load * 1000:.1f} {hit * 1e6:.3f}")
`;

function pythonReference(path: string): { loadMs: number; hitMicros: number } {
  const venv = join(repoRoot, ".cache", "py", "bin", "python");
  const python = existsSync(venv) ? venv : "python3";
  const runs = [0, 1, 2].map(() => {
    const result = spawnSync(python, ["-c", PYTHON, path], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`the Python reference failed: ${result.stderr}`);
    const [load, hit] = result.stdout.trim().split(" ").map(Number);
    return { loadMs: load as number, hitMicros: hit as number };
  });
  return { loadMs: median(runs.map((r) => r.loadMs)), hitMicros: median(runs.map((r) => r.hitMicros)) };
}

/** Loads the file as the bot does, three times: the median time, and what the first load added to RSS. */
async function loadLikeTheBot(path: string): Promise<{ db: MovieDb; loadMs: number; rssMb: number }> {
  const times: number[] = [];
  let db: MovieDb | undefined;
  let rssMb = 0;
  for (let i = 0; i < 3; i++) {
    Bun.gc(true);
    const before = process.memoryUsage.rss();
    const started = performance.now();
    const loaded = await loadMovieFile(path);
    times.push(performance.now() - started);
    if (loaded instanceof UserError) throw new Error(loaded.message);
    Bun.gc(true);
    if (i === 0) rssMb = (process.memoryUsage.rss() - before) / 1024 / 1024;
    db = loaded;
  }
  return { db: db as MovieDb, loadMs: median(times), rssMb };
}

export async function lookupBench(): Promise<void> {
  const fixture = await Bun.file(join(repoRoot, "test", "fixtures", "kobis", "flatmovieList.json")).json();
  const small = moviesFromJson(fixture);
  if (typeof small === "string") throw new Error(small);
  const large = syntheticMovies(100_000);
  const dir = join(repoRoot, ".tmp", "bench");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "kobis-100k.json");
  const text = kobisFile(large);
  writeFileSync(path, text);
  const loaded = await loadLikeTheBot(path);
  const python = pythonReference(path);
  console.log(
    `lookup: a 100,000-movie KOBIS file (${(text.length / 1024 / 1024).toFixed(1)} MB): dchat bot --movies loads it in ${loaded.loadMs.toFixed(0)} ms (RSS +${loaded.rssMb.toFixed(0)} MB); Python json.load + dict ${python.loadMs.toFixed(0)} ms (${(loaded.loadMs / python.loadMs).toFixed(2)}× its time)`,
  );
  // Ten times the file, in memory: a miss reads a bounded budget of postings, so its cost must
  // level off as the database grows (100,000 ≈ 1,000,000) instead of following it.
  const huge = syntheticMovies(1_000_000);
  const dbs: [string, Movie[], MovieDb][] = [
    ["fixture", small, movieDb(small)],
    ["100,000 from file", large, loaded.db],
    ["1,000,000 in memory", huge, movieDb(huge)],
  ];
  console.log(`Python dict hit (no parsing, no normalising): ${python.hitMicros.toFixed(2)} µs/query`);
  console.log("database              movies   hit µs/query   miss+suggest µs/query");
  for (const [name, movies, db] of dbs) {
    const titles = pick(movies, 500).map((m) => m.title);
    const hits = titles.map((t) => `@bot  ${t.toUpperCase()} | 감독`);
    // A one-jamo typo in the last syllable: a miss that has close titles to suggest.
    const misses = titles.map((t) => {
      const chars = [...t];
      const last = chars.length - 1;
      const code = chars[last]?.charCodeAt(0) ?? 0;
      chars[last] = code >= 0xac00 && code <= 0xd7a3 ? String.fromCharCode(code + 28) : "X";
      return `@bot ${chars.join("")} | 장르`;
    });
    const hit = timePerQuery(db, hits, 40);
    const miss = timePerQuery(db, misses, 4);
    console.log(
      `${name.padEnd(19)} ${String(db.size).padStart(8)}   ${hit.toFixed(2).padStart(12)}   ${miss.toFixed(1).padStart(21)}`,
    );
  }
}

if (import.meta.main) await lookupBench();
