/**
 * Slash commands: typed in the input, never sent to the room. `//text` sends `/text`.
 * Their output is a local notice in the shown room (nobody else sees it); a mistake is a
 * one-line message on the status line. A table, like the key bindings.
 */
import { isUserError } from "../errors.ts";
import { roomToTopic } from "../rooms.ts";
import { leaveRecord } from "../wire.ts";
import { clock } from "./clock.ts";
import { leaveAll as leaveSession, partLink } from "./leaving.ts";
import { searchFor, switchTo } from "./navigate.ts";
import { presence } from "./presence.ts";
import { addNotice } from "./records.ts";
import { joinLink } from "./session.ts";
import {
  type ChatEffect,
  type ChatState,
  emptyRoom,
  noActivity,
  roomIndex,
  shown,
  withSession,
  withShown,
} from "./state.ts";

type Result = [ChatState, ChatEffect[]];
type Command = (state: ChatState, args: string, now: Date) => Result;

export const HELP = `commands (only you see their output; //text sends /text):
  /join ROOM      join a room (or switch to it)        /part [ROOM]  leave a room (/leave too)
  /who            who is in this room                   /mentions     your recent mentions, all rooms
  /search TEXT    search this room (Ctrl-R)             /help         this list
  exit            leave every room and quit
keys: Alt-1…9 room N · Alt-←/→ previous/next room · Alt-a most important unread room
  Tab complete a name · Ctrl-R search (again: older, Ctrl-S newer, Enter keep, Esc back)
  Enter send · Alt-Enter new line · ↑/↓ history · PgUp/PgDn scroll · End newest · Ctrl-C quit`;

const say = (state: ChatState, text: string, now: Date): Result => [
  withShown(state, (room) => addNotice(room, text, now)),
  [],
];

const status = (state: ChatState, text: string): Result => [{ ...state, status: text }, []];

export function leaveAll(state: ChatState, now: Date): Result {
  return withSession(state, leaveSession(state.session, now));
}

const join: Command = (state, args) => {
  const name = args.normalize("NFC").trim();
  if (name === "") return status(state, "/join needs a room name: /join ROOM");
  const topic = roomToTopic(name);
  if (isUserError(topic)) return status(state, topic.message);
  const existing = roomIndex(state, name);
  if (existing >= 0) return [switchTo(state, existing), []];
  const added = { ...state, rooms: [...state.rooms, emptyRoom(name)] };
  return withSession(switchTo(added, added.rooms.length - 1), joinLink(state.session, name));
};

const part: Command = (state, args, now) => {
  const name = args.normalize("NFC").trim() || shown(state).name;
  const index = roomIndex(state, name);
  if (index < 0) return status(state, `not in a room called ${name}`);
  if (state.rooms.length === 1) return leaveAll(state, now);
  const rooms = state.rooms.filter((_, i) => i !== index);
  const current = index < state.current || state.current === rooms.length ? state.current - 1 : state.current;
  const next = { ...state, rooms, current: Math.max(0, current), completion: null };
  return withSession(
    withShown(next, (room) => ({ ...room, activity: noActivity })),
    partLink(state.session, name, leaveRecord(state.user, now), now),
  );
};

const who: Command = (state, _args, now) => {
  const room = shown(state);
  const { here, quiet } = presence(room.people, now);
  const list = (people: typeof here) =>
    people.map((p) => `${p.name} (${p.last === "joined" ? "joined" : "spoke"} ${clock(p.at)})`).join(", ");
  const lines = [`in #${room.name}: ${here.length > 0 ? list(here) : "nobody else seen"}`];
  if (quiet.length > 0) lines.push(`not heard from for over an hour, never left: ${list(quiet)}`);
  return say(state, lines.join("\n"), now);
};

const mentionList: Command = (state, _args, now) => {
  if (state.mentions.length === 0) return say(state, "no mentions yet", now);
  const lines = state.mentions.map(
    (m) => `${clock(m.time)} #${m.room} ${m.sender}: ${m.text.replace(/\n/g, " ")}`,
  );
  return say(state, `your mentions:\n${lines.join("\n")}`, now);
};

const search: Command = (state, args) => {
  if (args.trim() === "") return status(state, "/search needs some text: /search TEXT");
  const next = searchFor(state, args.trim(), false);
  return shown(next).search?.match === null ? status(next, `not found: ${args.trim()}`) : [next, []];
};

const commands: Record<string, Command> = {
  join,
  part,
  leave: part,
  who,
  mentions: mentionList,
  search,
  help: (state, _args, now) => say(state, HELP, now),
};

/** Runs the slash command in `text` (which starts with a single `/`). */
export function runCommand(state: ChatState, text: string, now: Date): Result {
  const [, name = "", args = ""] = /^\/(\S*)\s*([\s\S]*)$/.exec(text.trim()) ?? [];
  const command = commands[name.toLowerCase()];
  if (!command) return status(state, `unknown command /${name} — /help lists the commands`);
  return command(state, args, now);
}
