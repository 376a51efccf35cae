/**
 * Records from Kafka → entries of their room: own echoes dropped, mentions marked (and the bell
 * or a notification asked for, once per burst), activity counted for the room bar when the room
 * is not shown, the people seen updated for /who and completion.
 */
import { BOT_SENDER, type Decoded, INFO_SENDER } from "../wire.ts";
import { mentions } from "./mention.ts";
import { seen } from "./presence.ts";
import { append, type Entry, lastEntry } from "./scrollback.ts";
import type { Activity, ChatEffect, ChatState, Mention, RoomState } from "./state.ts";
import { roomIndex, withRoom } from "./state.ts";

type Result = [ChatState, ChatEffect[]];

/** A mention after this much quiet starts a new burst, which rings again. */
export const BURST_QUIET_MS = 10_000;
const MENTIONS_KEPT = 100;

function localDay(time: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}`;
}

/** Marks entries that start a new local day compared with the entry before them. */
function withDays(previous: Entry | undefined, entries: Omit<Entry, "seq">[]): Omit<Entry, "seq">[] {
  let last = previous?.time ? localDay(previous.time) : null;
  return entries.map((entry) => {
    if (!entry.time) return entry;
    const day = localDay(entry.time);
    const changed = last !== null && day !== last;
    last = day;
    return changed ? { ...entry, day } : entry;
  });
}

export function addEntries(room: RoomState, entries: Omit<Entry, "seq">[]): RoomState {
  if (entries.length === 0) return room;
  return {
    ...room,
    scrollback: append(room.scrollback, withDays(lastEntry(room.scrollback), entries)),
    unread: room.anchor ? room.unread + entries.length : 0,
  };
}

export function addNotice(room: RoomState, text: string, now: Date): RoomState {
  return addEntries(room, [{ kind: "notice", time: now, sender: "", text }]);
}

export function echoKey(timestamp: string, message: string): string {
  return `${timestamp}\u0000${message}`;
}

function entryFor(user: string, decoded: Decoded): Omit<Entry, "seq"> {
  if (!decoded.ok) {
    return {
      kind: "malformed",
      time: decoded.time,
      sender: "",
      text: `${decoded.problem}: ${decoded.detail}`,
    };
  }
  const { record, time } = decoded;
  const kind = record.end
    ? "leave"
    : record.sender === INFO_SENDER
      ? "info"
      : record.sender === BOT_SENDER
        ? "bot"
        : record.sender === user
          ? "own"
          : "message";
  return { kind, time, sender: record.sender, text: record.message };
}

function counted(activity: Activity, entry: Omit<Entry, "seq">): Activity {
  if (entry.mention) return { ...activity, messages: activity.messages + 1, mentions: activity.mentions + 1 };
  if (entry.kind === "message" || entry.kind === "bot")
    return { ...activity, messages: activity.messages + 1 };
  if (entry.kind === "own" || entry.kind === "notice") return activity;
  return { ...activity, other: activity.other + 1 };
}

export function onRecords(
  state: ChatState,
  roomName: string | undefined,
  records: Decoded[],
  live: boolean,
  now: Date | undefined,
): Result {
  const index = roomIndex(state, roomName);
  const room = state.rooms[index];
  if (!room) return [state, []];
  let echoes = room.echoes;
  let activity = room.activity;
  const added: Omit<Entry, "seq">[] = [];
  const named: Mention[] = [];
  for (const decoded of records) {
    if (decoded.ok && decoded.record.sender === state.user && echoes.length > 0) {
      const at = echoes.indexOf(echoKey(decoded.record.timestamp, decoded.record.message));
      if (at >= 0) {
        echoes = echoes.filter((_, i) => i !== at);
        continue;
      }
    }
    let entry = entryFor(state.user, decoded);
    if (entry.kind === "message" && mentions(entry.text, state.user)) {
      entry = { ...entry, mention: true };
      if (live) named.push({ room: room.name, time: decoded.time, sender: entry.sender, text: entry.text });
    }
    added.push(entry);
    if (live && index !== state.current) activity = counted(activity, entry);
  }
  let next = withRoom(state, index, (r) => ({
    ...addEntries({ ...r, echoes, activity }, added),
    people: seen(r.people, records),
  }));
  if (named.length === 0) return [next, []];
  const at = (now ?? (named.at(-1) as Mention).time).getTime();
  const burst = state.lastMentionAt !== null && at - state.lastMentionAt <= BURST_QUIET_MS;
  next = { ...next, mentions: [...state.mentions, ...named].slice(-MENTIONS_KEPT), lastMentionAt: at };
  if (burst) return [next, []];
  const effects: ChatEffect[] = [];
  if (state.options.bell !== false) effects.push({ type: "bell" });
  const first = named[0] as Mention;
  if (state.options.notify)
    effects.push({ type: "notify", title: `dchat #${first.room}`, body: `${first.sender}: ${first.text}` });
  return [next, effects];
}
