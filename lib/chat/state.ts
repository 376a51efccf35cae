/**
 * Chat state, and the events and effects that connect it to the world. `update` (update.ts)
 * is the only function that makes a new state; everything outside (keyboard, Kafka, clock,
 * terminal size) arrives as an Event and leaves as an Effect, so the core is pure and testable.
 *
 * A session holds several rooms; one is shown at a time. Each room keeps its own scrollback,
 * input (with its history), scroll position, unread counts, read marker and the people seen.
 */
import type { KeyEvent } from "../term/keys.ts";
import type { Decoded } from "../wire.ts";
import { type Editor, emptyEditor } from "./editor.ts";
import type { People } from "./presence.ts";
import { emptyScrollback, type Scrollback } from "./scrollback.ts";
import {
  type Connection,
  newSession,
  type Session,
  type SessionEffect,
  type SessionEvent,
} from "./session-state.ts";

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
  /** The links to the rooms, the outbox, leaving (session.ts). */
  session: Session;
  /** Recent mentions across rooms, oldest first. */
  mentions: Mention[];
  /** When the last mention arrived (ms): a bell rings once per burst. */
  lastMentionAt: number | null;
  /** A one-line message on the status line until the next key (unknown command, …). */
  status: string | null;
  completion: Completion | null;
}

/** What happens to the chat: keys, records, resizes, and everything of the session (session.ts). */
export type ChatEvent =
  | { type: "key"; key: KeyEvent; now: Date }
  /**
   * Records from Kafka for one room (the shown one when `room` is absent), in arrival order (a
   * batch costs one state change, not one per record). `now` times mention bursts; without it,
   * the records' own time does.
   */
  | { type: "records"; room?: string; records: Decoded[]; live: boolean; now?: Date }
  | { type: "resize"; size: Size }
  | SessionEvent;

/** What the chat asks for: the session's effects (Kafka, timers, exit) and the screen's. */
export type ChatEffect =
  | SessionEffect
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
    session: newSession(user, names),
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

/** The state with the session's new state, and its effects. */
export function withSession(
  state: ChatState,
  [session, effects]: [Session, SessionEffect[]],
  more: ChatEffect[] = [],
): [ChatState, ChatEffect[]] {
  return [{ ...state, session }, [...more, ...effects]];
}

export function roomIndex(state: ChatState, name: string | undefined): number {
  if (name === undefined) return state.current;
  return state.rooms.findIndex((room) => room.name === name);
}
