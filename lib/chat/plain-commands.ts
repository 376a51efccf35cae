/**
 * Slash commands in line mode: an input line starting with `/` never reaches the room there
 * either. `/who` and `/help` print to standard output, `/join` and `/part` change rooms
 * (plain-rooms.ts), `//text` sends `/text`, anything else is one line on standard error.
 */
import { isUserError } from "../errors.ts";
import { roomToTopic } from "../rooms.ts";
import { safeText } from "../safe-text.ts";
import { clock } from "./clock.ts";
import { type People, presence } from "./presence.ts";

export type LineAction =
  | { type: "send"; text: string }
  | { type: "print"; lines: string[] }
  | { type: "join"; room: string }
  | { type: "part"; room: string | undefined }
  | { type: "error"; message: string };

export const PLAIN_HELP = [
  "line mode: each line is sent (to the room joined last); exit leaves. Commands (never sent):",
  "  /join ROOM  join a room (lines go there now)     /part [ROOM]  leave it (/leave too)",
  "  /who        who is in the room                   /help         this list",
  "  //text      sends /text literally",
];

export function whoLines(room: string, people: People, now: Date): string[] {
  const { here, quiet } = presence(people, now);
  const list = (list: typeof here) =>
    list.map((p) => `${safeText(p.name)} (${p.last} ${clock(p.at)})`).join(", ");
  const lines = [`in #${safeText(room)}: ${here.length > 0 ? list(here) : "nobody else seen"}`];
  if (quiet.length > 0) lines.push(`not heard from for over an hour, never left: ${list(quiet)}`);
  return lines;
}

/** What an input line does; `line` is not blank and not `exit`. */
export function lineAction(line: string, room: string, people: People, now: Date): LineAction {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith("/")) return { type: "send", text: line };
  if (trimmed.startsWith("//")) return { type: "send", text: trimmed.slice(1) };
  const typed = /^\/(\S*)/.exec(trimmed)?.[1] ?? "";
  const name = typed.toLowerCase();
  if (name === "who") return { type: "print", lines: whoLines(room, people, now) };
  if (name === "help") return { type: "print", lines: PLAIN_HELP };
  const args = trimmed
    .slice(typed.length + 1)
    .normalize("NFC")
    .trim();
  if (name === "join") {
    if (args === "") return { type: "error", message: "/join needs a room name: /join ROOM" };
    const topic = roomToTopic(args);
    return isUserError(topic)
      ? { type: "error", message: `/join: ${topic.message}` }
      : { type: "join", room: args };
  }
  if (name === "part" || name === "leave") return { type: "part", room: args === "" ? undefined : args };
  return {
    type: "error",
    message: `unknown command /${safeText(typed)} (nothing sent; /help lists the commands)`,
  };
}
