/**
 * Does a message name us? `@name` anywhere, or the name as a whole word: not inside a longer
 * word (`min` does not match `mining`). Korean attaches particles and honorifics to a name
 * (`민수야`, `민수님`, `민수가`), so after a name ending in Hangul a short list of them still
 * counts as the whole word, while `민수기` does not. Case-insensitive, NFC on both sides.
 */

const PARTICLES = [
  "에게서",
  "한테서",
  "이랑",
  "에게",
  "한테",
  "하고",
  "님",
  "씨",
  "야",
  "아",
  "이",
  "가",
  "은",
  "는",
  "을",
  "를",
  "도",
  "의",
  "랑",
  "께",
  "만",
];

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const cache = new Map<string, RegExp>();

function pattern(user: string): RegExp {
  let found = cache.get(user);
  if (!found) {
    const name = escapeRegex(user.normalize("NFC"));
    const hangulEnd = /\p{Script=Hangul}$/u.test(user);
    const after = hangulEnd ? `(?:${PARTICLES.join("|")})?` : "";
    found = new RegExp(`@${name}|(?<![\\p{L}\\p{N}_])${name}${after}(?![\\p{L}\\p{N}_])`, "iu");
    cache.set(user, found);
  }
  return found;
}

export function mentions(text: string, user: string): boolean {
  if (user.trim() === "") return false;
  return pattern(user).test(text.normalize("NFC"));
}
