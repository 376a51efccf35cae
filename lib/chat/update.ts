/**
 * update(state, event) → [state, effects]: the whole behaviour of the chat screen, pure.
 * Key bindings are a table; records from Kafka become entries; sending produces `send`
 * effects whose outcome returns as `sent` / `send-failed` events.
 */
import type { KeyEvent } from "../term/keys.ts";
import {
  BOT_SENDER,
  type Decoded,
  encode,
  INFO_SENDER,
  leaveRecord,
  MAX_RECORD_BYTES,
  textRecord,
} from "../wire.ts";
import * as ed from "./editor.ts";
import { layout, scrolled } from "./layout.ts";
import { append, lastEntry, patch } from "./scrollback.ts";
import type { ChatEffect, ChatEvent, ChatState, Entry } from "./state.ts";

type Result = [ChatState, ChatEffect[]];
type Action = (state: ChatState, now: Date) => Result;

/** Most echo signatures remembered; older own records coming back are simply shown. */
const ECHO_LIMIT = 1000;

function edit(change: (editor: ed.Editor) => ed.Editor): Action {
  return (state) => [{ ...state, editor: change(state.editor) }, []];
}

function paneHeight(state: ChatState): number {
  return Math.max(1, layout(state.size.rows).paneRows);
}

/** Scrolls by `rows` pane rows (a function of the pane's height), up when positive. */
function scrollBy(rows: (height: number) => number): Action {
  return (state) => {
    const height = paneHeight(state);
    const anchor = scrolled(state, rows(height), height);
    return [{ ...state, anchor, unread: anchor ? state.unread : 0 }, []];
  };
}

const scroll = (pages: number) =>
  scrollBy((height) => Math.sign(pages) * Math.max(1, Math.round(Math.abs(pages) * (height - 1))));

/** Rows per wheel notch, as most terminals and pagers scroll. */
const WHEEL_ROWS = 3;

const toBottom = (state: ChatState): ChatState => ({ ...state, anchor: null, unread: 0 });

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

function addEntries(state: ChatState, entries: Omit<Entry, "seq">[]): ChatState {
  if (entries.length === 0) return state;
  return {
    ...state,
    scrollback: append(state.scrollback, withDays(lastEntry(state.scrollback), entries)),
    unread: state.anchor ? state.unread + entries.length : 0,
  };
}

function addEntry(state: ChatState, entry: Omit<Entry, "seq">): ChatState {
  return addEntries(state, [entry]);
}

export function leave(state: ChatState, now: Date): Result {
  if (state.leaving) return [state, []];
  return [{ ...state, leaving: true }, [{ type: "leave", record: leaveRecord(state.user, now) }]];
}

function echoKey(timestamp: string, message: string): string {
  return `${timestamp}\u0000${message}`;
}

function submit(state: ChatState, now: Date): Result {
  const text = state.editor.text;
  if (text.trim() === "") return [toBottom(state), []];
  if (text.trim() === "exit") return leave({ ...state, editor: ed.commit(state.editor) }, now);
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const records = lines.map((line) => textRecord(state.user, line, now));
  const tooBig = records.find((record) => encode(record).byteLength > MAX_RECORD_BYTES);
  if (tooBig) {
    const kib = Math.ceil(encode(tooBig).byteLength / 1024);
    const notice = `Not sent: a message is ${kib} KiB, over the ${MAX_RECORD_BYTES / 1024} KiB limit. Shorten it and press Enter again.`;
    return [addEntry(toBottom(state), { kind: "notice", time: now, sender: "", text: notice }), []];
  }
  let next: ChatState = { ...toBottom(state), editor: ed.commit(state.editor) };
  const effects: ChatEffect[] = [];
  for (const record of records) {
    const id = next.nextSendId;
    next = addEntry(
      {
        ...next,
        nextSendId: id + 1,
        outbox: [...next.outbox, id],
        echoes: [...next.echoes, echoKey(record.timestamp, record.message)].slice(-ECHO_LIMIT),
      },
      { kind: "own", time: now, sender: state.user, text: record.message, sendId: id, delivery: "sending" },
    );
    effects.push({ type: "send", id, record });
  }
  return [next, effects];
}

/** Ctrl-D: delete forward, or leave when the input is empty (as EOF does in a shell). */
const ctrlD: Action = (state, now) =>
  state.editor.text === "" ? leave(state, now) : edit(ed.del)(state, now);

const endKey: Action = (state) => [{ ...toBottom(state), editor: ed.end(state.editor) }, []];

const bindings: Record<string, Action> = {
  enter: submit,
  "alt+enter": edit((e) => ed.insert(e, "\n")),
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
  "alt+left": edit(ed.wordLeft),
  "alt+f": edit(ed.wordRight),
  "ctrl+right": edit(ed.wordRight),
  "alt+right": edit(ed.wordRight),
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
  "ctrl+l": (state) => [state, [{ type: "redraw" }]],
  "ctrl+c": leave,
  "ctrl+z": (state) => [state, [{ type: "suspend" }]],
};

function keyId(key: Extract<KeyEvent, { type: "key" }>): string {
  return `${key.ctrl ? "ctrl+" : ""}${key.alt ? "alt+" : ""}${key.shift ? "shift+" : ""}${key.name}`;
}

function onKey(state: ChatState, key: KeyEvent, now: Date): Result {
  if (key.type === "text") return [{ ...state, editor: ed.insert(state.editor, key.text) }, []];
  if (key.type === "paste") return [{ ...state, editor: ed.insert(state.editor, key.text) }, []];
  const id = keyId(key);
  const action = bindings[id] ?? (key.shift ? bindings[id.replace("shift+", "")] : undefined);
  return action ? action(state, now) : [state, []];
}

function entryFor(state: ChatState, decoded: Decoded): Omit<Entry, "seq"> {
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
        : record.sender === state.user
          ? "own"
          : "message";
  return { kind, time, sender: record.sender, text: record.message };
}

function mentions(state: ChatState, decoded: Decoded): boolean {
  if (!decoded.ok || decoded.record.sender === state.user) return false;
  return decoded.record.message.normalize("NFC").includes(`@${state.user}`);
}

function onRecords(state: ChatState, records: Decoded[], live: boolean): Result {
  let echoes = state.echoes;
  const added: Omit<Entry, "seq">[] = [];
  let bell = false;
  for (const decoded of records) {
    if (decoded.ok && decoded.record.sender === state.user && echoes.length > 0) {
      const index = echoes.indexOf(echoKey(decoded.record.timestamp, decoded.record.message));
      if (index >= 0) {
        echoes = echoes.filter((_, i) => i !== index);
        continue;
      }
    }
    added.push(entryFor(state, decoded));
    if (live && mentions(state, decoded)) bell = true;
  }
  return [addEntries({ ...state, echoes }, added), bell ? [{ type: "bell" }] : []];
}

function delivery(state: ChatState, id: number, change: Partial<Entry>): ChatState {
  return { ...state, scrollback: patch(state.scrollback, (e) => e.sendId === id, change) };
}

export function update(state: ChatState, event: ChatEvent): Result {
  switch (event.type) {
    case "key":
      return onKey(state, event.key, event.now);
    case "records":
      return onRecords(state, event.records, event.live);
    case "resize":
      return [{ ...state, size: event.size }, []];
    case "sent":
      return [
        {
          ...delivery(state, event.id, { delivery: "sent" }),
          outbox: state.outbox.filter((id) => id !== event.id),
        },
        [],
      ];
    case "send-failed":
      return [delivery(state, event.id, { delivery: "queued" }), []];
    case "connection": {
      if (event.state === state.connection) return [state, []];
      const text =
        event.state === "reconnecting"
          ? `Connection to Kafka lost${event.reason ? ` (${event.reason})` : ""}; reconnecting. What you type is kept and sent when it is back.`
          : event.state === "connected" && state.connection === "reconnecting"
            ? "Connection to Kafka is back."
            : null;
      const next = { ...state, connection: event.state };
      return [text ? addEntry(next, { kind: "notice", time: event.now, sender: "", text }) : next, []];
    }
    case "leave":
      return leave(state, event.now);
  }
}
