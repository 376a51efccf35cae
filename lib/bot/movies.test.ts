import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isUserError } from "../errors.ts";
import { loadMovieFile, movieDb, moviesFromJson } from "./movies.ts";

const fixture = (name: string) => new URL(`../../test/fixtures/kobis/${name}`, import.meta.url).pathname;
const nested = await Bun.file(fixture("movieList.json")).json();
const flat = await Bun.file(fixture("flatmovieList.json")).json();

function db(json: unknown) {
  const movies = moviesFromJson(json);
  if (typeof movies === "string") throw new Error(movies);
  return movieDb(movies);
}

describe("nested KOBIS shape", () => {
  const movies = db(nested);
  test("800 entries merge into 700 distinct movies", () => {
    expect(movies.size).toBe(700);
  });
  test("a movie's fields", () => {
    expect(movies.lookup("기생수 파트2")).toEqual([
      {
        code: "20158561",
        title: "기생수 파트2",
        titleEn: "Parasyte: Part 2",
        year: "2015",
        genres: ["SF", "스릴러"],
        directors: ["야마자키 타카시"],
      },
    ]);
  });
  test("lookup by English title, ignoring case", () => {
    expect(movies.lookup("parasyte: PART 2").map((m) => m.code)).toEqual(["20158561"]);
  });
  test("the API envelope is accepted too", () => {
    expect(db({ movieListResult: { movieList: nested } }).size).toBe(700);
  });
});

describe("flat KOBIS shape", () => {
  const movies = db(flat);
  test("1,193 rows merge into 900 movies", () => {
    expect(movies.size).toBe(900);
  });
  test("rows of one movie merge with de-duplicated directors and genres", () => {
    const rows = (flat as { movieCd: string; directors: string | null }[]).filter(
      (r) => r.directors !== null,
    );
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.movieCd, (counts.get(row.movieCd) ?? 0) + 1);
    const [code] = [...counts].find(([, n]) => n > 2) ?? [""];
    const expected = [...new Set(rows.filter((r) => r.movieCd === code).map((r) => r.directors))];
    const title =
      (flat as { movieCd: string; movieNm: string }[]).find((r) => r.movieCd === code)?.movieNm ?? "";
    const [movie] = movies.lookup(title).filter((m) => m.code === code);
    expect(movie?.directors).toEqual(expected as string[]);
    expect(new Set(movie?.genres).size).toBe(movie?.genres.length ?? -1);
  });
  test("titles with trailing spaces are found without them", () => {
    expect(movies.lookup("섹스 인 더 게임")).toHaveLength(1);
    expect(movies.lookup("섹스 인 더 게임")[0]?.title).toBe("섹스 인 더 게임");
  });
  test("a title shared by two movies returns both, oldest first", () => {
    expect(movies.lookup("휴가").map((m) => m.code)).toEqual(["20167102", "20209143"]);
  });
  test("null directors become an empty list", () => {
    const code = (flat as { movieCd: string; directors: string | null }[]).find(
      (r) => r.directors === null,
    )?.movieCd;
    const all = moviesFromJson(flat);
    if (typeof all === "string") throw new Error(all);
    const rowsWithNames = (flat as { movieCd: string; directors: string | null }[]).filter(
      (r) => r.movieCd === code && r.directors !== null,
    );
    expect(all.find((m) => m.code === code)?.directors).toHaveLength(rowsWithNames.length);
  });
});

describe("bad input is a description, not a crash", () => {
  test.each([
    [{}, "expected a JSON array"],
    [[], "empty"],
    [[1], "entry 0 is not an object"],
    [[{ movieNm: "x" }], "entry 0 has no movieCd"],
    [[{ movieCd: "1", movieNm: "x", directors: 5 }], "malformed directors"],
  ])("%p", (json, message) => {
    expect(moviesFromJson(json)).toContain(message);
  });
});

describe("loadMovieFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "dchat-movies-"));
  test("a missing file is one UserError line", async () => {
    const result = await loadMovieFile(join(dir, "nope.json"));
    expect(isUserError(result) && result.message).toContain("movie file not found");
  });
  test("invalid JSON is one UserError line", async () => {
    writeFileSync(join(dir, "bad.json"), "{ not json");
    const result = await loadMovieFile(join(dir, "bad.json"));
    expect(isUserError(result) && result.message).toContain("is not valid JSON");
  });
  test("a directory is one UserError line", async () => {
    const result = await loadMovieFile(dir);
    expect(isUserError(result)).toBe(true);
  });
  test("the fixture loads", async () => {
    const result = await loadMovieFile(fixture("flatmovieList.json"));
    expect(isUserError(result) ? result.message : result.size).toBe(900);
  });
});
