/**
 * Chat state, and the events and effects that connect it to the world. `update` (update.ts)
 * is the only function that makes a new state; everything outside (keyboard, Kafka, clock,
 * terminal size) arrives as an Event and leaves as an Effect, so the core is pure and testable.
 *
 * A session holds several rooms; one is shown at a time. Each room keeps its own scrollback,
 * input (with its history), scroll position, unread counts, read marker and the people seen.
 */
import type { KeyEvent } from "../term/keys.ts";
import type { ChatRecord, Decoded } from "../wire.ts";
import { type Editor, emptyEditor } from "./editor.ts";
import type { People } from "./presence.ts";
import { emptyScrollback, type Scrollback } from "./scrollback.ts";

export type EntryKind = "message" | "own" | "info" | "bot" | "leave" | "malformed" | "notice";

/** Delivery of one of our own messages. */
export type Delivery = "sending" | "sent" | "queued";

/** One item of the message pane. Text is raw here; the view makes it terminal-safe. */
export interface Entry {
  seq: number;
  kind: EntryKind;
  time: Date | null;
  sender: string;
  text: string;
  /** Set on own messages: the id the send effect carries. */
  sendId?: number;
  delivery?: Delivery;
  /** Set when this entry is the first of a new local day: a "day changed" row goes above it. */
  day?: string;
  /** The message names us (highlighted). */
  mention?: boolean;
}

export type Connection = "connecting" | "connected" | "reconnecting";

export interface Size {
  cols: number;
  rows: number;
}

/** Bottom of the view while scrolled up: an entry and a wrapped row within it. */
export interface ScrollAnchor {
  seq: number;
  row: number;
}

export interface ChatOptions {
  color: boolean;
  ambiguousWide: boolean;
  /** The terminal reports the mouse wheel, which scrolls the messages. */
  mouse: boolean;
  /** Ring the terminal bell when someone mentions us. */
  bell?: boolean;
  /** Desktop notification through the terminal on a mention: OSC 9 or OSC 777. */
  notify?: "osc9" | "osc777" | null;
}

/** What arrived in a room while it was not shown (the room bar and Alt-a use it). */
export interface Activity {
  /** Messages of people (and the bot). */
  messages: number;
  mentions: number;
  /** Joins, leaves, malformed records. */
  other: number;
}

/** The Ctrl-R / `/search` state of the shown room. */
export interface Search {
  query: string;
  /** Seq of the entry matched, or null when nothing matches. */
  match: number | null;
  /** Still typing the query (Ctrl-R) rather than browsing the result. */
  editing: boolean;
}

/** Tab completion in progress: repeated Tabs cycle through `candidates`. */
export interface Completion {
  /** The input before the completed word, and after the caret. */
  before: string;
  after: string;
  candidates: string[];
  index: number;
}

export interface RoomState {
  /** The room's human name (NFC, trimmed). */
  name: string;
  editor: Editor;
  scrollback: Scrollback;
  /** null = following the newest message. */
  anchor: ScrollAnchor | null;
  /** Entries that arrived while scrolled up (the "N new ↓ End" hint). */
  unread: number;
  activity: Activity;
  /** Seq of the first entry after the read marker, or null for no marker. */
  marker: number | null;
  connection: Connection;
  /** Signatures of our sent records, so their copy coming back from Kafka is not shown twice. */
  echoes: string[];
  people: People;
  search: Search | null;
}

/** A message that named us, for `/mentions`. */
export interface Mention {
  room: string;
  time: Date;
  sender: string;
  text: string;
}

export interface ChatState {
  user: string;
  size: Size;
  options: ChatOptions;
  rooms: RoomState[];
  /** Index of the room shown. */
  current: number;
  /** Own messages waiting for the broker, oldest first. */
  outbox: { id: number; room: string }[];
  nextSendId: number;
  leaving: boolean;
  /** Recent mentions across rooms, oldest first. */
  mentions: Mention[];
  /** When the last mention arrived (ms): a bell rings once per burst. */
  lastMentionAt: number | null;
  /** A one-line message on the status line until the next key (unknown command, …). */
  status: string | null;
  completion: Completion | null;
}

export type ChatEvent =
  | { type: "key"; key: KeyEvent; now: Date }
  /**
   * Records from Kafka for one room (the shown one when `room` is absent), in arrival order (a
   * batch costs one state change, not one per record). `now` times mention bursts; without it,
   * the records' own time does.
   */
  | { type: "records"; room?: string; records: Decoded[]; live: boolean; now?: Date }
  | { type: "resize"; size: Size }
  | { type: "sent"; id: number }
  /** A send failed and will be retried (run.ts retries until delivered or the user leaves). */
  | { type: "send-failed"; id: number; reason: string }
  /** The link of one room (the shown one when `room` is absent) changed state. */
  | { type: "connection"; room?: string; state: Connection; reason?: string; now: Date }
  /** A room could not be joined (e.g. the broker refused to create its topic). */
  | { type: "join-failed"; room: string; reason: string; now: Date }
  | { type: "leave"; now: Date };

export type ChatEffect =
  | { type: "send"; id: number; room: string; record: ChatRecord }
  /** Join a room: connect, then send the join record. */
  | { type: "join"; room: string }
  /** Leave one room: send its leave record, then disconnect from it. */
  | { type: "part"; room: string; record: ChatRecord }
  /** Leave every room (the record goes to each) and end the session. */
  | { type: "leave"; record: ChatRecord }
  | { type: "bell" }
  | { type: "notify"; title: string; body: string }
  | { type: "redraw" }
  | { type: "suspend" };

export const noActivity: Activity = { messages: 0, mentions: 0, other: 0 };

export function emptyRoom(name: string): RoomState {
  return {
    name,
    editor: emptyEditor(),
    scrollback: emptyScrollback(),
    anchor: null,
    unread: 0,
    activity: noActivity,
    marker: null,
    connection: "connecting",
    echoes: [],
    people: [],
    search: null,
  };
}

/** `rooms`: one name or several (the first is shown). */
export function initialState(
  rooms: string | string[],
  user: string,
  size: Size,
  options: ChatOptions,
): ChatState {
  const names = typeof rooms === "string" ? [rooms] : rooms;
  return {
    user,
    size,
    options,
    rooms: names.map(emptyRoom),
    current: 0,
    outbox: [],
    nextSendId: 1,
    leaving: false,
    mentions: [],
    lastMentionAt: null,
    status: null,
    completion: null,
  };
}

/** The room shown. */
export function shown(state: ChatState): RoomState {
  return state.rooms[state.current] as RoomState;
}

/** The state with the room at `index` changed. */
export function withRoom(state: ChatState, index: number, change: (room: RoomState) => RoomState): ChatState {
  const room = state.rooms[index];
  if (!room) return state;
  const rooms = state.rooms.slice();
  rooms[index] = change(room);
  return { ...state, rooms };
}

export function withShown(state: ChatState, change: (room: RoomState) => RoomState): ChatState {
  return withRoom(state, state.current, change);
}

export function roomIndex(state: ChatState, name: string | undefined): number {
  if (name === undefined) return state.current;
  return state.rooms.findIndex((room) => room.name === name);
}
