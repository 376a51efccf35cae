/**
 * The original bot's grammar, kept strict: a message containing `@bot` or `@봇`, followed by
 * `<영화이름> | <필드>`. Everything before the trigger is ignored ("저기 @bot 기생충|감독").
 */

export type Field = "director" | "genre" | "year";

export type Question =
  | { kind: "ask"; title: string; field: Field }
  /** The trigger with nothing after it. */
  | { kind: "empty" }
  /** Something after the trigger that is not `<title> | <field>` with a known field. */
  | { kind: "malformed" };

/** Field words users may type, Korean as in the original plus English. */
const FIELDS: ReadonlyMap<string, Field> = new Map([
  ["감독", "director"],
  ["장르", "genre"],
  ["제작년도", "year"],
  ["director", "director"],
  ["genre", "genre"],
  ["year", "year"],
]);

/** `@bot` not glued to a longer Latin word (`@botany`), or `@봇`. */
const TRIGGER = /@(?:bot(?![A-Za-z0-9_])|봇)/iu;

/** The question in a chat message, or undefined when the message does not address the bot. */
export function parseQuestion(message: string): Question | undefined {
  const text = message.normalize("NFC");
  const match = TRIGGER.exec(text);
  if (match === null) return undefined;
  const rest = text.slice(match.index + match[0].length).trim();
  if (rest === "") return { kind: "empty" };
  const parts = rest.split("|");
  if (parts.length !== 2) return { kind: "malformed" };
  const title = (parts[0] ?? "").trim();
  const field = FIELDS.get((parts[1] ?? "").trim().toLowerCase());
  if (title === "" || field === undefined) return { kind: "malformed" };
  return { kind: "ask", title, field };
}
