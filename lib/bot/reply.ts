/**
 * Question + database → the bot's Korean reply, worded as the original bot did. Templates are
 * a table per field; particles follow the title's ending (see hangul.ts). Text echoed from the
 * asker passes safeText and is cut short, so a reply can neither carry control sequences nor
 * be used to amplify a megabyte-long message.
 */
import { safeText } from "../safe-text.ts";
import { OBJECT, withParticle } from "./hangul.ts";
import type { Movie, MovieDb } from "./movies.ts";
import { cleanTitle } from "./normalize.ts";
import type { Field, Question } from "./query.ts";

export const FORMAT_HINT = "'@bot 영화이름|<감독/장르/제작년도>' 형식으로 입력해주세요.";
export const MALFORMED_REPLY = `잘못된 형식입니다. ${FORMAT_HINT}`;
export const EMPTY_REPLY = `명령을 인식할 수 없습니다. ${FORMAT_HINT}`;
export const SUGGESTION_COUNT = 3;
const ECHO_LIMIT = 60;

interface FieldTemplate {
  /** The field's name in replies. */
  label: string;
  value(movie: Movie): string;
  /** The sentence for a known value; `name` already tells identical titles apart. */
  answer(name: string, value: string): string;
}

const TEMPLATES: Record<Field, FieldTemplate> = {
  director: {
    label: "감독",
    value: (movie) => movie.directors.join(", "),
    answer: (name, value) => `${withParticle(name, OBJECT)} 만든 감독의 이름은 ${value} 입니다.`,
  },
  genre: {
    label: "장르",
    value: (movie) => movie.genres.join(", "),
    answer: (name, value) => `${name}의 장르는 ${value} 입니다.`,
  },
  year: {
    label: "제작년도",
    value: (movie) => movie.year,
    answer: (name, value) => `${name}의 제작년도는 ${value} 입니다.`,
  },
};

function echo(text: string): string {
  const line = safeText(cleanTitle(text));
  const chars = [...line];
  return chars.length > ECHO_LIMIT ? `${chars.slice(0, ECHO_LIMIT).join("")}…` : line;
}

function sentence(movie: Movie, name: string, template: FieldTemplate): string {
  const value = safeText(template.value(movie));
  if (value === "") return `${name}의 ${template.label} 정보가 등록되어 있지 않습니다.`;
  return template.answer(name, value);
}

function notFound(title: string, template: FieldTemplate, db: MovieDb): string {
  const base = `${echo(title)}에 대한 ${template.label} 정보를 찾을 수 없습니다.`;
  const close = db.suggest(title, SUGGESTION_COUNT).map(safeText);
  return close.length === 0 ? base : `${base} 혹시 이 영화를 찾으셨나요? ${close.join(", ")}`;
}

/** The reply to one question; several movies sharing a title each get a sentence, named with their year. */
export function replyTo(question: Question, db: MovieDb): string {
  if (question.kind === "empty") return EMPTY_REPLY;
  if (question.kind === "malformed") return MALFORMED_REPLY;
  const template = TEMPLATES[question.field];
  const movies = db.lookup(question.title);
  if (movies.length === 0) return notFound(question.title, template, db);
  const shared = movies.length > 1;
  return movies
    .map((movie) => {
      const title = safeText(movie.title);
      return sentence(movie, shared && movie.year !== "" ? `${title}(${movie.year})` : title, template);
    })
    .join(" ");
}
