/**
 * update(state, event) → [state, effects]: the whole behaviour of the chat screen, pure.
 * Key bindings are a table; records from Kafka become entries (records.ts); slash commands are
 * a table too (commands.ts). The session with Kafka (links, outbox, retries, leaving) is
 * session.ts's part of the state: its events pass through here, so an own message's delivery
 * mark and the connection notices follow them.
 */
import type { KeyEvent } from "../term/keys.ts";
import { graphemes } from "../width.ts";
import { encode, MAX_RECORD_BYTES, textRecord } from "../wire.ts";
import { leaveAll, runCommand } from "./commands.ts";
import { completed, nextCompletion, startCompletion } from "./complete.ts";
import * as ed from "./editor.ts";
import { layout, paneOf, scrolled } from "./layout.ts";
import { hottest, scrolledTo, searchAgain, searchFor, switchTo, toBottom } from "./navigate.ts";
import { isSystemName } from "./presence.ts";
import { addEntries, addNotice, echoKey, onRecords } from "./records.ts";
import { patch } from "./scrollback.ts";
import { enqueue, updateSession } from "./session.ts";
import type { Connection } from "./session-state.ts";
import {
  type ChatEffect,
  type ChatEvent,
  type ChatState,
  type Completion,
  roomIndex,
  shown,
  withRoom,
  withSession,
  withShown,
} from "./state.ts";

type Result = [ChatState, ChatEffect[]];
type Action = (state: ChatState, now: Date) => Result;

/** Most echo signatures remembered; older own records coming back are simply shown. */
const ECHO_LIMIT = 1000;

function edit(change: (editor: ed.Editor) => ed.Editor): Action {
  return (state) => [withShown(state, (room) => ({ ...room, editor: change(room.editor) })), []];
}

function paneHeight(state: ChatState): number {
  return Math.max(1, layout(state.size.rows).paneRows);
}

/** Scrolls by `rows` pane rows (a function of the pane's height), up when positive. */
function scrollBy(rows: (height: number) => number): Action {
  return (state) => {
    const height = paneHeight(state);
    return [scrolledTo(state, scrolled(paneOf(state), rows(height), height)), []];
  };
}

const scroll = (pages: number) =>
  scrollBy((height) => Math.sign(pages) * Math.max(1, Math.round(Math.abs(pages) * (height - 1))));

/** Rows per wheel notch, as most terminals and pagers scroll. */
const WHEEL_ROWS = 3;

function tooBigNotice(bytes: number): string {
  return `Not sent: a message is ${Math.ceil(bytes / 1024)} KiB, over the ${MAX_RECORD_BYTES / 1024} KiB limit. Shorten it and press Enter again.`;
}

function submit(state: ChatState, now: Date): Result {
  const room = shown(state);
  const text = room.editor.text;
  if (text.trim() === "") return [toBottom(state), []];
  const committed = withShown(state, (r) => ({ ...r, editor: ed.commit(r.editor) }));
  if (text.trim() === "exit") return leaveAll(committed, now);
  const trimmed = text.trimStart();
  if (trimmed.startsWith("/") && !trimmed.startsWith("//")) return runCommand(committed, trimmed, now);
  const literal = trimmed.startsWith("//") ? trimmed.slice(1) : text;
  const lines = literal.split("\n").filter((line) => line.trim() !== "");
  const records = lines.map((line) => textRecord(state.user, line, now));
  const tooBig = records.find((record) => encode(record).byteLength > MAX_RECORD_BYTES);
  if (tooBig)
    return [
      withShown(toBottom(state), (r) => addNotice(r, tooBigNotice(encode(tooBig).byteLength), now)),
      [],
    ];
  let next: ChatState = withShown(toBottom(committed), (r) => ({ ...r, marker: null }));
  const effects: ChatEffect[] = [];
  for (const record of records) {
    const [session, sends, id] = enqueue(next.session, room.name, record, now);
    effects.push(...sends);
    next = withShown({ ...next, session }, (r) =>
      addEntries(
        { ...r, echoes: [...r.echoes, echoKey(record.timestamp, record.message)].slice(-ECHO_LIMIT) },
        [
          {
            kind: "own",
            time: now,
            sender: state.user,
            text: record.message,
            sendId: id,
            delivery: "sending",
          },
        ],
      ),
    );
  }
  return [next, effects];
}

/** Ctrl-D: delete forward, or leave when the input is empty (as EOF does in a shell). */
const ctrlD: Action = (state, now) =>
  shown(state).editor.text === "" ? leaveAll(state, now) : edit(ed.del)(state, now);

const endKey: Action = (state) => [
  withShown(toBottom(state), (room) => ({ ...room, editor: ed.end(room.editor) })),
  [],
];

const goTo =
  (index: (state: ChatState) => number): Action =>
  (state) => {
    const target = index(state);
    if (target < 0) return [{ ...state, status: "no room with unread messages" }, []];
    return [switchTo(state, target), []];
  };

const cycle = (by: number) => goTo((state) => (state.current + by + state.rooms.length) % state.rooms.length);

/** The shown room's input changed by `change`, with `completion` as the cycle in progress. */
function withCompletion(state: ChatState, completion: Completion): ChatState {
  return {
    ...withShown(state, (room) => ({ ...room, editor: completed(room.editor, completion) })),
    completion,
  };
}

const tab: Action = (state) => {
  if (state.completion) return [withCompletion(state, nextCompletion(state.completion)), []];
  const room = shown(state);
  const names = room.people.map((p) => p.name).filter((name) => name !== state.user && !isSystemName(name));
  const completion = startCompletion(room.editor, names);
  return completion ? [withCompletion(state, completion), []] : [state, [{ type: "bell" }]];
};

const bindings: Record<string, Action> = {
  enter: submit,
  "alt+enter": edit((e) => ed.insert(e, "\n")),
  tab,
  backspace: edit(ed.backspace),
  "alt+backspace": edit(ed.killWordBack),
  delete: edit(ed.del),
  "ctrl+d": ctrlD,
  left: edit(ed.left),
  "ctrl+b": edit(ed.left),
  right: edit(ed.right),
  "ctrl+f": edit(ed.right),
  home: edit(ed.home),
  "ctrl+a": edit(ed.home),
  end: endKey,
  "ctrl+e": edit(ed.end),
  "alt+b": edit(ed.wordLeft),
  "ctrl+left": edit(ed.wordLeft),
  "alt+f": edit(ed.wordRight),
  "ctrl+right": edit(ed.wordRight),
  "alt+left": cycle(-1),
  "alt+right": cycle(1),
  "alt+a": goTo(hottest),
  "ctrl+u": edit(ed.killToStart),
  "ctrl+k": edit(ed.killToEnd),
  "ctrl+w": edit(ed.killWordBack),
  "ctrl+y": edit(ed.yank),
  up: edit(ed.historyUp),
  "ctrl+p": edit(ed.historyUp),
  down: edit(ed.historyDown),
  "ctrl+n": edit(ed.historyDown),
  pageup: scroll(1),
  pagedown: scroll(-1),
  "shift+up": scroll(1 / 8),
  "shift+down": scroll(-1 / 8),
  wheelup: scrollBy(() => WHEEL_ROWS),
  wheeldown: scrollBy(() => -WHEEL_ROWS),
  "ctrl+end": (state) => [toBottom(state), []],
  escape: (state) => [toBottom(state), []],
  "ctrl+r": (state) => [searchAgain(state, "older"), []],
  "ctrl+s": (state) => [searchAgain(state, "newer"), []],
  "ctrl+l": (state) => [state, [{ type: "redraw" }]],
  "ctrl+c": leaveAll,
  "ctrl+z": (state) => [state, [{ type: "suspend" }]],
};
for (let n = 1; n <= 9; n++) bindings[`alt+${n}`] = goTo(() => n - 1);

function keyId(key: Extract<KeyEvent, { type: "key" }>): string {
  return `${key.ctrl ? "ctrl+" : ""}${key.alt ? "alt+" : ""}${key.shift ? "shift+" : ""}${key.name}`;
}

/** Keys that keep a Ctrl-R query being typed (handled by the bindings). */
const SEARCH_KEYS = new Set(["ctrl+r", "ctrl+s", "escape"]);

/**
 * While a Ctrl-R query is typed, text and Backspace edit the query and Enter keeps the match;
 * any other key ends the typing (the match stays shown) and does what it always does.
 */
function onSearchKey(state: ChatState, key: KeyEvent, now: Date): Result | null {
  const search = shown(state).search;
  if (!search?.editing) return null;
  if (key.type === "text" || key.type === "paste")
    return [searchFor(state, search.query + key.text, true), []];
  const id = keyId(key);
  if (id === "backspace") {
    const query = graphemes(search.query).slice(0, -1).join("");
    return [searchFor(state, query, true), []];
  }
  const stopTyping = withShown(state, (r) => ({ ...r, search: { ...search, editing: false } }));
  if (id === "enter") return [stopTyping, []];
  return SEARCH_KEYS.has(id) ? null : onKey(stopTyping, key, now);
}

function onKey(state: ChatState, key: KeyEvent, now: Date): Result {
  const fresh: ChatState = state.status ? { ...state, status: null } : state;
  const searching = onSearchKey(fresh, key, now);
  if (searching) return searching;
  const isTab = key.type === "key" && keyId(key) === "tab";
  const base: ChatState = fresh.completion && !isTab ? { ...fresh, completion: null } : fresh;
  if (key.type === "text" || key.type === "paste") return edit((e) => ed.insert(e, key.text))(base, now);
  const id = keyId(key);
  const action = bindings[id] ?? (key.shift ? bindings[id.replace("shift+", "")] : undefined);
  return action ? action(base, now) : [base, []];
}

function delivered(state: ChatState, id: number, change: { delivery: "sent" | "queued" }): ChatState {
  const item = state.session.outbox.find((o) => o.id === id && o.typed);
  const index = item ? roomIndex(state, item.room) : -1;
  return withRoom(state, index, (room) => ({
    ...room,
    scrollback: patch(room.scrollback, (e) => e.sendId === id, change),
  }));
}

function onConnection(
  state: ChatState,
  event: { room?: string; state: Connection; reason?: string; now: Date },
): ChatState {
  const index = roomIndex(state, event.room);
  const room = state.rooms[index];
  if (!room || event.state === room.connection) return state;
  const text =
    event.state === "reconnecting"
      ? `Connection to Kafka lost${event.reason ? ` (${event.reason})` : ""}; reconnecting. What you type is kept and sent when it is back.`
      : event.state === "connected" && room.connection === "reconnecting"
        ? "Connection to Kafka is back."
        : null;
  return withRoom(state, index, (r) => {
    const next = { ...r, connection: event.state };
    return text ? addNotice(next, text, event.now) : next;
  });
}

/** A room could not be joined with /join: it goes, with a notice in the room shown. */
function joinFailed(state: ChatState, event: Extract<ChatEvent, { type: "join-failed" }>): Result {
  const index = roomIndex(state, event.room);
  if (index < 0 || state.session.required.includes(event.room)) return [state, []];
  const text = `Could not join #${event.room}: ${event.reason}`;
  const rooms = state.rooms.filter((_, i) => i !== index);
  if (rooms.length === 0) return leaveAll(state, event.now);
  const current = Math.min(
    index <= state.current ? Math.max(0, state.current - 1) : state.current,
    rooms.length - 1,
  );
  return [withShown({ ...state, rooms, current }, (r) => addNotice(r, text, event.now)), []];
}

export function update(state: ChatState, event: ChatEvent): Result {
  switch (event.type) {
    case "key":
      return onKey(state, event.key, event.now);
    case "records":
      return onRecords(state, event.room, event.records, event.live, event.now);
    case "resize":
      return [{ ...state, size: event.size }, []];
    case "sent":
      return withSession(
        delivered(state, event.id, { delivery: "sent" }),
        updateSession(state.session, event),
      );
    case "send-failed":
      return withSession(
        delivered(state, event.id, { delivery: "queued" }),
        updateSession(state.session, event),
      );
    case "connection":
      return withSession(onConnection(state, event), updateSession(state.session, event));
    case "linked":
      return withSession(
        onConnection(state, { room: event.room, state: "connected", now: event.now }),
        updateSession(state.session, event),
      );
    case "join-failed": {
      const [next, effects] = joinFailed(state, event);
      return withSession(next, updateSession(next.session, event), effects);
    }
    case "leave":
      return leaveAll(state, event.now);
    default:
      return withSession(state, updateSession(state.session, event));
  }
}
