/**
 * Lookup micro-benchmark: µs per question against the KOBIS fixture (900 movies) and a
 * synthetic 100,000-movie database. A hit is one Map access after normalisation, so it must not
 * grow with the database; a miss also searches near titles with a bounded budget.
 *
 *   bun bench/bot/lookup.ts
 */
import { join } from "node:path";
import { type Movie, type MovieDb, movieDb, moviesFromJson } from "../../lib/bot/movies.ts";
import { parseQuestion } from "../../lib/bot/query.ts";
import { replyTo } from "../../lib/bot/reply.ts";
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

export async function lookupBench(): Promise<void> {
  const fixture = await Bun.file(join(repoRoot, "test", "fixtures", "kobis", "flatmovieList.json")).json();
  const small = moviesFromJson(fixture);
  if (typeof small === "string") throw new Error(small);
  const large = syntheticMovies(100_000);
  const built = performance.now();
  const dbs: [string, Movie[], MovieDb][] = [
    ["fixture", small, movieDb(small)],
    ["synthetic", large, movieDb(large)],
  ];
  const buildMs = performance.now() - built;
  console.log(`lookup: indexes built in ${buildMs.toFixed(0)} ms (both databases)`);
  console.log("database            movies   hit µs/query   miss+suggest µs/query");
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
      `${name.padEnd(18)} ${String(db.size).padStart(7)}   ${hit.toFixed(2).padStart(12)}   ${miss.toFixed(1).padStart(21)}`,
    );
  }
}

if (import.meta.main) await lookupBench();
