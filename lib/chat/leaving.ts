/**
 * Leaving, pure: one room (`/part`: what is queued for it goes first, bounded, then its leave
 * record, then its link closes), the whole chat (the same for every room, then the end), and the
 * crash-time goodbye (the leave record tried, the error reported after CRASH_LEAVE_MS at most).
 * `step` runs after every change of the session: it sends what can go and moves leaving on.
 */
import { type ChatRecord, leaveRecord } from "../wire.ts";
import {
  CLOSE_TIMEOUT_MS,
  CRASH_LEAVE_MS,
  GOODBYE_MIN_MS,
  LEAVE_TIMEOUT_MS,
  linkOf,
  pump,
  type Result,
  SENDABLE,
  type Session,
  type SessionEffect,
  timerOf,
  withLink,
  withoutLink,
} from "./session-state.ts";

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

export function closeLink(session: Session, room: string): Result {
  return [
    withLink(session, room, { phase: "closing" }),
    [
      { type: "close", room },
      { type: "timer", name: timerOf.close(room), ms: CLOSE_TIMEOUT_MS },
    ],
  ];
}

/** Sends `record` to `room` once, bounded by `ms`; its acknowledgement closes the link. */
export function goodbye(session: Session, room: string, record: ChatRecord, ms: number | null): Result {
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

function remaining(session: Session, now: Date): number {
  return Math.max(GOODBYE_MIN_MS, (session.deadline ?? now.getTime()) - now.getTime());
}

/** After every change: send what can go, and move leaving on once its queue is empty. */
export function step(session: Session, now: Date): Result {
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
export function sayGoodbye(session: Session, now: Date): Result {
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

export function end(session: Session): Result {
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

export function crash(session: Session, error: unknown, now: Date): Result {
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

/** The leave record of `room` was not acknowledged: the broker is out of reach, closing would only time out. */
export function goodbyeFailed(session: Session, room: string, now: Date): Result {
  return step({ ...withoutLink(session, room), leftOk: false }, now);
}
