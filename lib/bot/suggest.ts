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
const POSTINGS_BUDGET = 8_000;
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

/**
 * Levenshtein distance of two symbol sequences; once it must exceed `cap` the answer is just
 * `cap + 1`, which keeps ranking candidates cheap.
 */
export function editDistance(a: number[], b: number[], cap = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let previous = new Uint32Array(b.length + 1).map((_, j) => j);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      current[j] = value;
      if (value < best) best = value;
    }
    if (best > cap) return cap + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? 0;
}

/**
 * Distance of a query to a title, where typing only the start of a long title (`신과함께` for
 * `신과함께-죄와 벌`) counts as one edit beyond the typos in that start.
 */
function closeness(query: number[], title: number[], cap: number): number {
  const whole = editDistance(query, title, cap);
  if (title.length <= query.length) return whole;
  return Math.min(whole, editDistance(query, title.slice(0, query.length), cap) + 1);
}

/** What is compared: jamo, without spaces, since people write 해리포터 for 해리 포터와 마법사의 돌. */
function spelling(key: string): number[] {
  return jamo(key.replaceAll(" ", ""));
}

/** The `count` ids sharing the most bigrams, bucketed by the (small) shared count rather than sorted. */
function mostShared(overlap: Map<number, number>, count: number): number[] {
  const buckets: number[][] = [];
  for (const [id, shared] of overlap) {
    const bucket = buckets[shared];
    if (bucket) bucket.push(id);
    else buckets[shared] = [id];
  }
  const chosen: number[] = [];
  for (let shared = buckets.length - 1; shared > 0 && chosen.length < count; shared--) {
    for (const id of buckets[shared] ?? []) {
      if (chosen.length === count) break;
      chosen.push(id);
    }
  }
  return chosen;
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
    const sequence = spelling(key);
    symbols.push(sequence);
    for (const gram of bigrams(sequence)) {
      const list = postings.get(gram);
      if (list) list.push(id);
      else postings.set(gram, [id]);
    }
  }

  return {
    suggest(title, limit) {
      const query = spelling(normalizeTitle(title));
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
      const candidates = mostShared(overlap, RANKED_CANDIDATES);
      const allowed = Math.max(1, Math.floor(query.length / 3));
      return candidates
        .map((id) => ({ id, distance: closeness(query, symbols[id] ?? [], allowed) }))
        .filter((candidate) => candidate.distance <= allowed)
        .sort((a, b) => a.distance - b.distance || a.id - b.id)
        .slice(0, limit)
        .map((candidate) => shown[candidate.id] ?? "");
    },
  };
}
