/**
 * Chat state, and the events and effects that connect it to the world. `update` (update.ts)
 * is the only function that makes a new state; everything outside (keyboard, Kafka, clock,
 * terminal size) arrives as an Event and leaves as an Effect, so the core is pure and testable.
 */
import type { KeyEvent } from "../term/keys.ts";
import type { ChatRecord, Decoded } from "../wire.ts";
import { type Editor, emptyEditor } from "./editor.ts";
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
}

export interface ChatState {
  room: string;
  user: string;
  size: Size;
  options: ChatOptions;
  editor: Editor;
  scrollback: Scrollback;
  /** null = following the newest message. */
  anchor: ScrollAnchor | null;
  unread: number;
  connection: Connection;
  /** Own messages waiting for the broker, oldest first. */
  outbox: number[];
  nextSendId: number;
  /** Signatures of our sent records, so their copy coming back from Kafka is not shown twice. */
  echoes: string[];
  leaving: boolean;
}

export type ChatEvent =
  | { type: "key"; key: KeyEvent; now: Date }
  /** Records from Kafka, in arrival order (a batch costs one state change, not one per record). */
  | { type: "records"; records: Decoded[]; live: boolean }
  | { type: "resize"; size: Size }
  | { type: "sent"; id: number }
  /** A send failed and will be retried (run.ts retries until delivered or the user leaves). */
  | { type: "send-failed"; id: number; reason: string }
  | { type: "connection"; state: Connection; reason?: string; now: Date }
  | { type: "leave"; now: Date };

export type ChatEffect =
  | { type: "send"; id: number; record: ChatRecord }
  | { type: "leave"; record: ChatRecord }
  | { type: "bell" }
  | { type: "redraw" }
  | { type: "suspend" };

export function initialState(room: string, user: string, size: Size, options: ChatOptions): ChatState {
  return {
    room,
    user,
    size,
    options,
    editor: emptyEditor(),
    scrollback: emptyScrollback(),
    anchor: null,
    unread: 0,
    connection: "connecting",
    outbox: [],
    nextSendId: 1,
    echoes: [],
    leaving: false,
  };
}
