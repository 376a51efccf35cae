/**
 * The movie database: KOBIS Open API data in either shape the original project produced,
 * merged per `movieCd` and indexed by normalised title.
 *
 * - nested: `movieListResult.movieList` entries (`directors: [{peopleNm}]`), as a plain array
 *   or inside the API's `{movieListResult: {movieList: […]}}` envelope;
 * - flat: the original Spark job's rows, one per (movie, company, director), `directors` a
 *   string or null, so one movie spans several rows.
 *
 * Lookups are one Map access, whatever the size of the database.
 */
import { UserError } from "../errors.ts";
import { cleanTitle, normalizeTitle } from "./normalize.ts";
import { buildSuggester, type Suggester } from "./suggest.ts";

export interface Movie {
  code: string;
  title: string;
  titleEn: string;
  year: string;
  genres: string[];
  directors: string[];
}

export interface MovieDb {
  size: number;
  /** Movies whose Korean title (else English title) normalises to the same key as `title`, oldest first. */
  lookup(title: string): Movie[];
  /** Up to `limit` display titles close to `title`, best first. */
  suggest(title: string, limit: number): string[];
}

type Row = Record<string, unknown>;

function isRow(value: unknown): value is Row {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function entriesOf(json: unknown): unknown[] | undefined {
  if (Array.isArray(json)) return json;
  if (isRow(json) && isRow(json.movieListResult) && Array.isArray(json.movieListResult.movieList)) {
    return json.movieListResult.movieList;
  }
  return undefined;
}

function text(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
}

/** Directors of one row: `[{peopleNm}]` (nested) or a plain name or null (flat). */
function rowDirectors(value: unknown): string[] | undefined {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") return value.trim() === "" ? [] : [cleanTitle(value)];
  if (!Array.isArray(value)) return undefined;
  const names: string[] = [];
  for (const person of value) {
    if (!isRow(person)) return undefined;
    const name = text(person.peopleNm);
    if (name !== "") names.push(cleanTitle(name));
  }
  return names;
}

function addUnique(list: string[], values: Iterable<string>): void {
  for (const value of values) if (value !== "" && !list.includes(value)) list.push(value);
}

function splitGenres(genreAlt: unknown): string[] {
  return text(genreAlt)
    .split(",")
    .map((genre) => genre.trim());
}

/** Merges rows per movieCd; a problem is described as a value naming the entry. */
function mergeRows(entries: unknown[]): Movie[] | string {
  const byCode = new Map<string, Movie>();
  for (const [index, entry] of entries.entries()) {
    if (!isRow(entry)) return `entry ${index} is not an object`;
    const code = text(entry.movieCd);
    const title = cleanTitle(text(entry.movieNm));
    if (code === "" || title === "") return `entry ${index} has no movieCd or movieNm`;
    const directors = rowDirectors(entry.directors);
    if (directors === undefined) return `entry ${index} (${code}) has malformed directors`;
    let movie = byCode.get(code);
    if (movie === undefined) {
      movie = {
        code,
        title,
        titleEn: cleanTitle(text(entry.movieNmEn)),
        year: "",
        genres: [],
        directors: [],
      };
      byCode.set(code, movie);
    }
    if (movie.year === "") movie.year = text(entry.prdtYear);
    addUnique(movie.genres, splitGenres(entry.genreAlt));
    addUnique(movie.directors, directors);
  }
  return [...byCode.values()];
}

function indexBy(movies: Movie[], key: (movie: Movie) => string): Map<string, Movie[]> {
  const index = new Map<string, Movie[]>();
  for (const movie of movies) {
    const k = normalizeTitle(key(movie));
    if (k === "") continue;
    const list = index.get(k);
    if (list) list.push(movie);
    else index.set(k, [movie]);
  }
  for (const list of index.values())
    list.sort((a, b) => a.year.localeCompare(b.year) || a.code.localeCompare(b.code));
  return index;
}

export function movieDb(movies: Movie[]): MovieDb {
  const byTitle = indexBy(movies, (movie) => movie.title);
  const byEnglish = indexBy(movies, (movie) => movie.titleEn);
  const suggester: Suggester = buildSuggester(movies.map((movie) => movie.title));
  return {
    size: movies.length,
    lookup(title) {
      const key = normalizeTitle(title);
      return byTitle.get(key) ?? byEnglish.get(key) ?? [];
    },
    suggest: (title, limit) => suggester.suggest(title, limit),
  };
}

/** Parsed JSON of either KOBIS shape → database, or a one-line description of what is wrong. */
export function moviesFromJson(json: unknown): Movie[] | string {
  const entries = entriesOf(json);
  if (entries === undefined) return "expected a JSON array of KOBIS movieList entries";
  if (entries.length === 0) return "the movie list is empty";
  return mergeRows(entries);
}

/** Reads a `--movies` file; every failure is one UserError line naming the file. */
export async function loadMovieFile(path: string): Promise<MovieDb | UserError> {
  const file = Bun.file(path);
  if (!(await file.exists())) {
    return new UserError(`movie file not found: ${path} (give a KOBIS movieList JSON file with --movies)`);
  }
  let content: string;
  try {
    content = await file.text();
  } catch (err) {
    return new UserError(`cannot read movie file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (err) {
    return new UserError(`movie file ${path} is not valid JSON (${(err as Error).message})`);
  }
  const movies = moviesFromJson(json);
  if (typeof movies === "string") return new UserError(`movie file ${path} is not usable: ${movies}`);
  return movieDb(movies);
}
