/**
 * The session's life with Kafka, pure and shared by the full-screen chat and line mode: rooms
 * joined, and the outbox of records waiting for the broker, sent one at a time, in order, retried
 * with backoff until delivered (each room's join record first). Leaving — one room, all of them,
 * or a crash's bounded goodbye — is leaving.ts's; the state, events and effects are
 * session-state.ts's.
 *
 * What happens outside (a link is up, a send was acknowledged or failed, a timer fired) arrives
 * as a SessionEvent; what should happen (connect, send, close, start a timer, exit) leaves as a
 * SessionEffect that the interpreter (loop.ts) carries out. Time comes in the events.
 */
import { type ChatRecord, joinRecord } from "../wire.ts";
import { closeLink, crash, end, goodbye, goodbyeFailed, leaveAll, sayGoodbye, step } from "./leaving.ts";
import {
  HISTORY_WAIT_MS,
  LEAVE_TIMEOUT_MS,
  linkOf,
  type Pending,
  RETRY_FIRST_MS,
  RETRY_MAX_MS,
  type Result,
  type Session,
  type SessionEffect,
  type SessionEvent,
  timerOf,
  withLink,
  withoutLink,
} from "./session-state.ts";

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
