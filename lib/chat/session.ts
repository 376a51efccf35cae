/**
 * The session's life with Kafka, pure and shared by the full-screen chat and line mode: which
 * rooms have a link, the outbox of records waiting for the broker (sent one at a time, in order,
 * retried with backoff until delivered), leaving one room or all of them (what is queued gets
 * LEAVE_TIMEOUT_MS to go, then each room gets its leave record, bounded, and its link closed) and
 * the crash-time goodbye (the leave record tried for CRASH_LEAVE_MS at most, then the error).
 *
 * What happens outside (a link is up, a send was acknowledged or failed, a timer fired) arrives
 * as a SessionEvent; what should happen (connect, send, close, start a timer, exit) leaves as a
 * SessionEffect that the interpreter (loop.ts) carries out. Time comes in the events.
 */
import { type ChatRecord, joinRecord, leaveRecord } from "../wire.ts";

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

type Result = [Session, SessionEffect[]];

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

function withLink(session: Session, room: string, change: Partial<Link>): Session {
  return { ...session, links: session.links.map((l) => (l.room === room ? { ...l, ...change } : l)) };
}

function withoutLink(session: Session, room: string): Session {
  return { ...session, links: session.links.filter((l) => l.room !== room) };
}

/** Messages typed but not delivered yet. */
export function unsentCount(session: Session): number {
  return session.outbox.filter((item) => item.typed).length;
}

export function isLeaving(session: Session): boolean {
  return session.phase !== "open";
}

const SENDABLE: LinkPhase[] = ["up", "parting"];
const timerOf = {
  retry: "retry",
  leave: "leave",
  crash: "crash",
  part: (room: string) => `part:${room}`,
  goodbye: (room: string) => `goodbye:${room}`,
  close: (room: string) => `close:${room}`,
  history: (room: string) => `history:${room}`,
};

/** Queues `record` for `room`; returns the id its send will carry. */
export function enqueue(
  session: Session,
  room: string,
  record: ChatRecord,
  now: Date,
  typed = true,
): [Session, SessionEffect[], number] {
  const id = session.nextId;
  const next = { ...session, nextId: id + 1, outbox: [...session.outbox, { id, room, record, typed }] };
  return [...step(next, now), id];
}

/** Joins one more room. */
export function joinLink(session: Session, room: string): Result {
  if (linkOf(session, room)) return [session, []];
  return [{ ...session, links: [...session.links, { room, phase: "joining" }] }, [{ type: "connect", room }]];
}

/** Leaves one room: what is queued for it goes first (bounded), then `record`, then its link closes. */
export function partLink(session: Session, room: string, record: ChatRecord, now: Date): Result {
  const link = linkOf(session, room);
  if (!link || session.phase !== "open") return [session, []];
  // Not linked yet: the link is closed as soon as it comes up (`linked` finds no room).
  if (link.phase === "joining") return [withoutLink(session, room), []];
  if (link.phase === "history") return closeLink(session, room);
  if (!SENDABLE.includes(link.phase)) return [session, []];
  const parting = withLink(session, room, { phase: "parting", leave: record });
  const [next, effects] = step(parting, now);
  return [next, [{ type: "timer", name: timerOf.part(room), ms: LEAVE_TIMEOUT_MS }, ...effects]];
}

function closeLink(session: Session, room: string): Result {
  return [
    withLink(session, room, { phase: "closing" }),
    [
      { type: "close", room },
      { type: "timer", name: timerOf.close(room), ms: CLOSE_TIMEOUT_MS },
    ],
  ];
}

/** Sends `record` to `room` once, bounded by `ms`; its acknowledgement closes the link. */
function goodbye(session: Session, room: string, record: ChatRecord, ms: number | null): Result {
  const id = session.nextId;
  const next = withLink({ ...session, nextId: id + 1 }, room, {
    phase: "goodbye",
    leave: record,
    goodbyeId: id,
  });
  const effects: SessionEffect[] = [
    { type: "cancel", name: timerOf.part(room) },
    { type: "send", id, room, record },
  ];
  if (ms !== null) effects.push({ type: "timer", name: timerOf.goodbye(room), ms });
  return [next, effects];
}

/** The next record goes out, if one can. */
function pump(session: Session): Result {
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

function remaining(session: Session, now: Date): number {
  return Math.max(GOODBYE_MIN_MS, (session.deadline ?? now.getTime()) - now.getTime());
}

/** After every change: send what can go, and move leaving on once its queue is empty. */
function step(session: Session, now: Date): Result {
  const effects: SessionEffect[] = [];
  let [next, more] = pump(session);
  effects.push(...more);
  for (const link of next.links) {
    if (link.phase !== "parting" || next.outbox.some((item) => item.room === link.room)) continue;
    [next, more] = goodbye(next, link.room, link.leave as ChatRecord, LEAVE_TIMEOUT_MS);
    effects.push(...more);
  }
  if (next.phase === "leaving" && next.outbox.length === 0) {
    [next, more] = sayGoodbye(next, now);
    effects.push(...more);
  }
  if ((next.phase === "goodbye" || next.phase === "crashed") && next.links.length === 0) {
    [next, more] = end(next);
    effects.push(...more);
  }
  return [next, effects];
}

/** Leaving, once the queue is empty or out of time: the leave record to every room, bounded. */
function sayGoodbye(session: Session, now: Date): Result {
  let next: Session = { ...session, phase: "goodbye", leaveTried: true };
  const effects: SessionEffect[] = [
    { type: "cancel", name: timerOf.retry },
    { type: "cancel", name: timerOf.leave },
  ];
  for (const link of session.links) {
    let more: SessionEffect[] = [];
    if (link.phase === "joining") next = withoutLink(next, link.room);
    else if (link.phase === "history") [next, more] = closeLink(next, link.room);
    else if (SENDABLE.includes(link.phase))
      [next, more] = goodbye(
        next,
        link.room,
        link.leave ?? (session.leave as ChatRecord),
        remaining(session, now),
      );
    effects.push(...more);
  }
  return [next, effects];
}

function end(session: Session): Result {
  const crashed = session.phase === "crashed";
  const unsent = session.outbox.filter((item) => item.typed).map((item) => item.record);
  const code = unsent.length > 0 || !session.leftOk ? 1 : 0;
  return [
    { ...session, phase: "done" },
    [{ type: "exit", code, unsent, leftOk: session.leftOk, crashed, error: session.error }],
  ];
}

/** Leaves every room: what is queued goes first (bounded), then the leave record to each. */
export function leaveAll(session: Session, now: Date): Result {
  if (session.phase !== "open") return [session, []];
  const record = leaveRecord(session.user, now);
  const next: Session = {
    ...session,
    phase: "leaving",
    deadline: now.getTime() + LEAVE_TIMEOUT_MS,
    leave: record,
  };
  const [stepped, effects] = step(next, now);
  return [
    stepped,
    [{ type: "input-off" }, { type: "timer", name: timerOf.leave, ms: LEAVE_TIMEOUT_MS }, ...effects],
  ];
}

function crash(session: Session, error: unknown, now: Date): Result {
  // Later errors while saying goodbye are the same bug showing again: the first is reported.
  if (session.phase === "crashed" || session.phase === "done") return [session, []];
  let next: Session = { ...session, phase: "crashed", error, leaveTried: true };
  const effects: SessionEffect[] = [
    { type: "screen-off" },
    { type: "input-off" },
    { type: "cancel", name: timerOf.retry },
    { type: "cancel", name: timerOf.leave },
    { type: "timer", name: timerOf.crash, ms: CRASH_LEAVE_MS },
  ];
  for (const link of session.links) {
    let more: SessionEffect[] = [];
    if (link.phase === "joining") next = withoutLink(next, link.room);
    else if (link.phase === "history" || (session.leaveTried && SENDABLE.includes(link.phase)))
      [next, more] = closeLink(next, link.room);
    else if (SENDABLE.includes(link.phase))
      [next, more] = goodbye(next, link.room, link.leave ?? leaveRecord(session.user, now), null);
    effects.push(...more);
  }
  const [stepped, rest] = step(next, now);
  return [stepped, [...effects, ...rest]];
}

function linked(session: Session, room: string, now: Date): Result {
  const link = linkOf(session, room);
  // Left (the room or the chat) while connecting: close the new link straight away.
  if (link?.phase !== "joining" || session.phase !== "open") return closeLink(session, room);
  if (session.joinAfterHistory)
    return [
      withLink(session, room, { phase: "history" }),
      [{ type: "timer", name: timerOf.history(room), ms: HISTORY_WAIT_MS }],
    ];
  return up(session, room, now);
}

/** The room's link can send: its join record goes first of all, and a waiting retry goes now. */
function up(session: Session, room: string, now: Date): Result {
  const id = session.nextId;
  const join: Pending = { id, room, record: joinRecord(session.user, now), typed: false };
  const next: Session = {
    ...withLink(session, room, { phase: "up" }),
    nextId: id + 1,
    outbox: [join, ...session.outbox],
    waiting: false,
  };
  const [stepped, effects] = step(next, now);
  return [
    stepped,
    [{ type: "cancel", name: timerOf.retry }, { type: "cancel", name: timerOf.history(room) }, ...effects],
  ];
}

function sent(session: Session, id: number, now: Date): Result {
  if (id === session.inFlight) {
    const next = {
      ...session,
      inFlight: null,
      retryMs: RETRY_FIRST_MS,
      outbox: session.outbox.filter((item) => item.id !== id),
    };
    return step(next, now);
  }
  const link = session.links.find((l) => l.goodbyeId === id && l.phase === "goodbye");
  if (!link) return [session, []];
  const [next, effects] = closeLink(session, link.room);
  return [next, [{ type: "cancel", name: timerOf.goodbye(link.room) }, ...effects]];
}

/** The leave record of `room` was not acknowledged: the broker is out of reach, closing would only time out. */
function goodbyeFailed(session: Session, room: string, now: Date): Result {
  return step({ ...withoutLink(session, room), leftOk: false }, now);
}

function sendFailed(session: Session, id: number, now: Date): Result {
  if (id === session.inFlight) {
    const next = { ...session, inFlight: null };
    if (session.phase !== "open" && session.phase !== "leaving") return step(next, now);
    return [
      { ...next, waiting: true, retryMs: Math.min(session.retryMs * 2, RETRY_MAX_MS) },
      [{ type: "timer", name: timerOf.retry, ms: session.retryMs }],
    ];
  }
  const link = session.links.find((l) => l.goodbyeId === id && l.phase === "goodbye");
  return link ? goodbyeFailed(session, link.room, now) : [session, []];
}

function timer(session: Session, name: string, now: Date): Result {
  if (name === timerOf.retry) return step({ ...session, waiting: false }, now);
  if (name === timerOf.leave) return session.phase === "leaving" ? sayGoodbye(session, now) : [session, []];
  if (name === timerOf.crash) return session.phase === "crashed" ? end(session) : [session, []];
  const [kind, room = ""] = [name.slice(0, name.indexOf(":")), name.slice(name.indexOf(":") + 1)];
  const link = linkOf(session, room);
  if (!link) return [session, []];
  if (kind === "part" && link.phase === "parting")
    return goodbye(session, room, link.leave as ChatRecord, LEAVE_TIMEOUT_MS);
  if (kind === "goodbye" && link.phase === "goodbye") return goodbyeFailed(session, room, now);
  if (kind === "close" && link.phase === "closing") return step(withoutLink(session, room), now);
  if (kind === "history" && link.phase === "history") return up(session, room, now);
  return [session, []];
}

/** The session's part of an event. */
export function updateSession(session: Session, event: SessionEvent): Result {
  switch (event.type) {
    case "start":
      return [session, session.links.map((link) => ({ type: "connect", room: link.room }))];
    case "linked":
      return linked(session, event.room, event.now);
    case "history-loaded":
      return linkOf(session, event.room)?.phase === "history"
        ? up(session, event.room, event.now)
        : [session, []];
    case "join-failed":
      if (session.required.includes(event.room) && session.phase === "open")
        return crash(withoutLink(session, event.room), event.error, event.now);
      return step(withoutLink(session, event.room), event.now);
    case "sent":
      return sent(session, event.id, event.now);
    case "send-failed":
      return sendFailed(session, event.id, event.now);
    case "connection": {
      // The consumer got through again: queued messages go now, not after the backoff.
      if (event.state !== "connected" || !session.waiting) return [session, []];
      const [next, effects] = step({ ...session, waiting: false }, event.now);
      return [next, [{ type: "cancel", name: timerOf.retry }, ...effects]];
    }
    case "closed":
      return linkOf(session, event.room)?.phase === "closing"
        ? step(withoutLink(session, event.room), event.now)
        : [session, []];
    case "timer":
      return timer(session, event.name, event.now);
    case "leave":
      return leaveAll(session, event.now);
    case "crash":
      return crash(session, event.error, event.now);
  }
}
