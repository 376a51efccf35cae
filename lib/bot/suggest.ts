/**
 * Near-miss titles for "not found" replies. Titles are compared as jamo sequences, so a typo
 * inside a syllable (괴몰 for 괴물) costs one edit rather than a whole syllable.
 *
 * Scanning every title would make a miss cost grow with the database, so candidates come from
 * an inverted index of jamo bigrams, read rarest bigram first with a fixed budget of postings;
 * only the best-overlapping few candidates get the exact edit distance.
 */
import { jamo } from "./hangul.ts";
import { normalizeTitle } from "./normalize.ts";

export interface Suggester {
  suggest(title: string, limit: number): string[];
}

/** Postings read per query at most: bounds the cost of a miss on a huge database. */
const POSTINGS_BUDGET = 20_000;
/** Candidates, by bigram overlap, that get the exact edit distance. */
const RANKED_CANDIDATES = 64;
const EDGE = -1;

function bigrams(symbols: number[]): Set<number> {
  const grams = new Set<number>();
  let previous = EDGE;
  for (const symbol of [...symbols, EDGE]) {
    // Symbols are code points (< 2^21): the pair packs exactly into a double.
    grams.add((previous + 1) * 0x200000 + (symbol + 1));
    previous = symbol;
  }
  return grams;
}

export function editDistance(a: number[], b: number[]): number {
  if (a.length === 0) return b.length;
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + cost));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/**
 * Distance of a query to a title, where typing only the start of a long title (`신과함께` for
 * `신과함께-죄와 벌`) counts as one edit beyond the typos in that start.
 */
function closeness(query: number[], title: number[]): number {
  const whole = editDistance(query, title);
  if (title.length <= query.length) return whole;
  return Math.min(whole, editDistance(query, title.slice(0, query.length)) + 1);
}

export function buildSuggester(titles: string[]): Suggester {
  const shown: string[] = [];
  const symbols: number[][] = [];
  const seen = new Set<string>();
  const postings = new Map<number, number[]>();
  for (const title of titles) {
    const key = normalizeTitle(title);
    if (key === "" || seen.has(key)) continue;
    seen.add(key);
    const id = shown.length;
    shown.push(title);
    const sequence = jamo(key);
    symbols.push(sequence);
    for (const gram of bigrams(sequence)) {
      const list = postings.get(gram);
      if (list) list.push(id);
      else postings.set(gram, [id]);
    }
  }

  return {
    suggest(title, limit) {
      const query = jamo(normalizeTitle(title));
      if (query.length === 0 || limit <= 0) return [];
      const lists = [...bigrams(query)]
        .map((gram) => postings.get(gram))
        .filter((list): list is number[] => list !== undefined)
        .sort((a, b) => a.length - b.length);
      const overlap = new Map<number, number>();
      let budget = POSTINGS_BUDGET;
      for (const list of lists) {
        if (list.length > budget) break;
        budget -= list.length;
        for (const id of list) overlap.set(id, (overlap.get(id) ?? 0) + 1);
      }
      const candidates = [...overlap]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, RANKED_CANDIDATES);
      const allowed = Math.max(1, Math.floor(query.length / 3));
      return candidates
        .map(([id]) => ({ id, distance: closeness(query, symbols[id] ?? []) }))
        .filter((candidate) => candidate.distance <= allowed)
        .sort((a, b) => a.distance - b.distance || a.id - b.id)
        .slice(0, limit)
        .map((candidate) => shown[candidate.id] ?? "");
    },
  };
}
