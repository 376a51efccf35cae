/**
 * Hangul helpers for the bot's Korean replies: which particle follows a word (을/를, 이/가,
 * 은/는, 과/와) and the jamo decomposition used to measure how close two titles are.
 *
 * A particle depends on whether the spoken word ends in a consonant (받침). Titles are not
 * always Hangul: `범죄도시2` is read "…이" (no 받침 → 를), `1987` "…칠" (ㄹ → 을), `Up` "업"
 * (→ 을). Digits and Latin endings are therefore read the way Koreans say them; when the
 * reading cannot be known (Han characters, symbols only) both forms are written, `을(를)`,
 * as Korean software conventionally does.
 */

const SYLLABLE_FIRST = 0xac00;
const SYLLABLE_LAST = 0xd7a3;
const JUNG_COUNT = 21;
const JONG_COUNT = 28;

/** 영 일 이 삼 사 오 육 칠 팔 구: which digits, read alone, end in a consonant. */
const DIGIT_HAS_FINAL = [true, true, false, true, false, false, true, true, true, false];

/**
 * Letter names as said in Korean (에이, 비, 씨, …, 엘, 엠, 엔, 알 …), for acronyms and
 * single letters: only L, M, N and R end in a consonant.
 */
const LETTERS_WITH_FINAL = new Set(["l", "m", "n", "r"]);

export type FinalSound = "consonant" | "vowel" | "unknown";

function syllableFinal(code: number): FinalSound {
  return (code - SYLLABLE_FIRST) % JONG_COUNT === 0 ? "vowel" : "consonant";
}

function numberFinal(digits: string): FinalSound {
  // A trailing zero is read 십, 백, 천, 만, 억 …, all of which end in a consonant.
  const last = Number(digits.at(-1));
  return DIGIT_HAS_FINAL[last] ? "consonant" : "vowel";
}

/**
 * Loanword endings: `-ng`, `-m`, `-n`, `-l` keep their consonant (인셉션, 엘리시움), as do
 * `-k`, `-ck`, `-c`, `-p`, `-b`, `-t` after a vowel (타이타닉, 업, 로봇); everything else is
 * read with a vowel ending (매트릭스, 조커, 인터스텔라).
 */
function latinWordFinal(word: string): FinalSound {
  const lower = word.toLowerCase();
  if (word.length === 1 || (word.length <= 4 && word === word.toUpperCase())) {
    return LETTERS_WITH_FINAL.has(lower.at(-1) ?? "") ? "consonant" : "vowel";
  }
  if (/(?:ng|m|n|l)$/.test(lower)) return "consonant";
  if (/[aeiou](?:ck|k|c|p|b|t)$/.test(lower)) return "consonant";
  return "vowel";
}

/** Whether the spoken form of `word` ends in a consonant, judged from its last letters. */
export function finalSound(word: string): FinalSound {
  // A trailing bracketed note (a year, an original title) is skipped in speech, as are closing
  // quotes and punctuation: the particle follows the word before them, 휴가(2016)를.
  const text = word
    .normalize("NFC")
    .replace(/\s*[(（[][^()（）[\]]*[)）\]]\s*$/u, "")
    .replace(/[\s\p{P}\p{S}]+$/u, "");
  const last = text.codePointAt(text.length - 1);
  if (last === undefined) return "unknown";
  if (last >= SYLLABLE_FIRST && last <= SYLLABLE_LAST) return syllableFinal(last);
  const digits = /[0-9]+$/.exec(text);
  if (digits) return numberFinal(digits[0]);
  const latin = /[A-Za-z]+$/.exec(text);
  if (latin) return latinWordFinal(latin[0]);
  return "unknown";
}

export type ParticlePair = readonly [afterConsonant: string, afterVowel: string];

export const OBJECT: ParticlePair = ["을", "를"];
export const SUBJECT: ParticlePair = ["이", "가"];
export const TOPIC: ParticlePair = ["은", "는"];
export const AND: ParticlePair = ["과", "와"];

/** `word` followed by the particle its ending calls for: 기생충을, 괴물을, 범죄도시2를, 怪物을(를). */
export function withParticle(word: string, [consonant, vowel]: ParticlePair): string {
  const sound = finalSound(word);
  if (sound === "consonant") return word + consonant;
  if (sound === "vowel") return word + vowel;
  return `${word}${consonant}(${vowel})`;
}

/**
 * Each precomposed syllable split into its initial, medial and (if any) final jamo, as code
 * points in disjoint ranges so that an initial ㄱ and a final ㄱ stay different symbols. Other
 * characters pass through. `괴물` → 5 symbols, so 괴물/괴몰 differ by one, not by one whole syllable.
 */
export function jamo(text: string): number[] {
  const out: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < SYLLABLE_FIRST || code > SYLLABLE_LAST) {
      out.push(code);
      continue;
    }
    const index = code - SYLLABLE_FIRST;
    const jong = index % JONG_COUNT;
    const jung = Math.floor(index / JONG_COUNT) % JUNG_COUNT;
    const cho = Math.floor(index / (JONG_COUNT * JUNG_COUNT));
    // Conjoining jamo blocks: initials U+1100, medials U+1161, finals U+11A7 (+1…27).
    out.push(0x1100 + cho, 0x1161 + jung);
    if (jong !== 0) out.push(0x11a7 + jong);
  }
  return out;
}
