/**
 * The chat session's state with Kafka, its events and effects (session.ts reduces them, leaving.ts
 * the part about leaving): which rooms have a link and in what phase, the outbox of records
 * waiting for the broker, how far leaving has got. Shared by the full-screen chat and line mode.
 */
import type { ChatRecord } from "../wire.ts";

/** Longest wait for queued messages when leaving (a room or the chat), before the leave record. */
export const LEAVE_TIMEOUT_MS = 8000;
/** Longest a crash waits for the leave record (and the links' closing) before reporting. */
export const CRASH_LEAVE_MS = 2000;
/** The leave record is given at least this long, even when the queue used up the leave time. */
export const GOODBYE_MIN_MS = 2000;
/** Longest wait for a link to close after its leave record went out. */
export const CLOSE_TIMEOUT_MS = 3000;
/** Line mode prints a room's history before its join record, waiting this long at most. */
export const HISTORY_WAIT_MS = 10_000;
export const RETRY_FIRST_MS = 500;
export const RETRY_MAX_MS = 15_000;
/** A record waiting for the broker. */
export interface Pending {
  id: number;
  room: string;
  record: ChatRecord;
  /** Typed by the user (not a join record): reported when it could not be sent. */
  typed: boolean;
}

/**
 * One room's link: being joined, waiting for its history (line mode), up, draining before its
 * leave record (`parting`), waiting for the leave record's acknowledgement, closing.
 */
export type LinkPhase = "joining" | "history" | "up" | "parting" | "goodbye" | "closing";

export interface Link {
  room: string;
  phase: LinkPhase;
  /** The leave record for `parting` and `goodbye`. */
  leave?: ChatRecord;
  /** The id the leave record's send carries. */
  goodbyeId?: number;
}

export type Phase = "open" | "leaving" | "goodbye" | "crashed" | "done";

export interface Session {
  user: string;
  /** Line mode sends a room's join record once its history is printed. */
  joinAfterHistory: boolean;
  /** Rooms whose join failing ends the session with that error (the ones given at the start). */
  required: string[];
  links: Link[];
  outbox: Pending[];
  nextId: number;
  /** The outbox item whose send is out, if any. */
  inFlight: number | null;
  retryMs: number;
  /** A retry timer runs: nothing is sent before it fires (or the connection is back). */
  waiting: boolean;
  phase: Phase;
  /** When leaving must be over (ms), once leaving. */
  deadline: number | null;
  leave: ChatRecord | null;
  /** Every leave record sent was acknowledged. */
  leftOk: boolean;
  /** Leave records went out (a crash does not send them again). */
  leaveTried: boolean;
  error: unknown;
}

export type SessionEvent =
  /** Connect to the rooms given at the start. */
  | { type: "start" }
  | { type: "linked"; room: string; now: Date }
  /** The records written before the join have been handed over. */
  | { type: "history-loaded"; room: string; now: Date }
  /** A room could not be joined; `error` is what joining threw. */
  | { type: "join-failed"; room: string; reason: string; error: unknown; now: Date }
  | { type: "sent"; id: number; now: Date }
  | { type: "send-failed"; id: number; reason: string; now: Date }
  /** The link of one room (the shown one when `room` is absent) changed state. */
  | { type: "connection"; room?: string; state: Connection; reason?: string; now: Date }
  | { type: "closed"; room: string; now: Date }
  | { type: "timer"; name: string; now: Date }
  /** Leave every room and end the session. */
  | { type: "leave"; now: Date }
  /** A bug: say goodbye (bounded), then report `error`. */
  | { type: "crash"; error: unknown; now: Date };

export type Connection = "connecting" | "connected" | "reconnecting";

/** How the session ended: an exit code, what was not sent, or the error of a crash. */
export interface Ending {
  code: number;
  unsent: ChatRecord[];
  leftOk: boolean;
  crashed: boolean;
  error: unknown;
}

export type SessionEffect =
  | { type: "connect"; room: string }
  | { type: "send"; id: number; room: string; record: ChatRecord }
  | { type: "close"; room: string }
  | { type: "timer"; name: string; ms: number }
  | { type: "cancel"; name: string }
  /** Stop reading the user's input (leaving or crashing). */
  | { type: "input-off" }
  /** A crash: give the terminal back now, before the bounded goodbye. */
  | { type: "screen-off" }
  | ({ type: "exit" } & Ending);

export type Result = [Session, SessionEffect[]];
export function newSession(
  user: string,
  rooms: string[],
  options: { joinAfterHistory?: boolean; required?: string[] } = {},
): Session {
  return {
    user,
    joinAfterHistory: options.joinAfterHistory ?? false,
    required: options.required ?? rooms,
    links: rooms.map((room) => ({ room, phase: "joining" })),
    outbox: [],
    nextId: 1,
    inFlight: null,
    retryMs: RETRY_FIRST_MS,
    waiting: false,
    phase: "open",
    deadline: null,
    leave: null,
    leftOk: true,
    leaveTried: false,
    error: null,
  };
}

export const linkOf = (session: Session, room: string): Link | undefined =>
  session.links.find((link) => link.room === room);

export function withLink(session: Session, room: string, change: Partial<Link>): Session {
  return { ...session, links: session.links.map((l) => (l.room === room ? { ...l, ...change } : l)) };
}

export function withoutLink(session: Session, room: string): Session {
  return { ...session, links: session.links.filter((l) => l.room !== room) };
}

/** Messages typed but not delivered yet. */
export function unsentCount(session: Session): number {
  return session.outbox.filter((item) => item.typed).length;
}

export function isLeaving(session: Session): boolean {
  return session.phase !== "open";
}

export const SENDABLE: LinkPhase[] = ["up", "parting"];
export const timerOf = {
  retry: "retry",
  leave: "leave",
  crash: "crash",
  part: (room: string) => `part:${room}`,
  goodbye: (room: string) => `goodbye:${room}`,
  close: (room: string) => `close:${room}`,
  history: (room: string) => `history:${room}`,
};

/** The next record goes out, if one can. */
export function pump(session: Session): Result {
  if (session.inFlight !== null || session.waiting) return [session, []];
  if (session.phase !== "open" && session.phase !== "leaving") return [session, []];
  let outbox = session.outbox;
  while (outbox.length > 0) {
    const head = outbox[0] as Pending;
    const link = linkOf(session, head.room);
    if (link && SENDABLE.includes(link.phase)) {
      const next = { ...session, outbox, inFlight: head.id };
      return [next, [{ type: "send", id: head.id, room: head.room, record: head.record }]];
    }
    // Still being joined: the record waits (and with it the ones behind it, to keep the order).
    if (link?.phase === "joining" || link?.phase === "history") break;
    // The room was left, or could not be joined: nothing to send it through.
    outbox = outbox.slice(1);
  }
  return [{ ...session, outbox }, []];
}
