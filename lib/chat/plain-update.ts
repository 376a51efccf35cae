/**
 * Line mode's behaviour, pure (plain.ts wires it): every input line is sent as a message to the
 * room joined last (`exit`, or the end of input, leaves), slash commands are plain-commands.ts's,
 * every record is printed as one terminal-safe line `HH:MM sender: text`, and what goes wrong is
 * one line on stderr. Its session with Kafka (links, outbox and retries, leaving, the crash's
 * goodbye) is the same as the full-screen chat's (session.ts).
 *
 * A room's history is printed before its join record goes out, the rooms of `--room a,b` are
 * joined one after the other, and input lines wait while a room is being joined: a line typed
 * after `/join x` goes to x. Once a second room is joined, every printed line starts with
 * `#room ` so a script can tell them apart. The first room is left only with the chat.
 */
import { safeText } from "../safe-text.ts";
import { type Decoded, LEAVE_HINT, leaveRecord, textRecord } from "../wire.ts";
import { clock } from "./clock.ts";
import { leaveAll, partLink } from "./leaving.ts";
import type { RecordsEvent } from "./loop.ts";
import { lineAction } from "./plain-commands.ts";
import { type People, seen } from "./presence.ts";
import { enqueue, joinLink, updateSession } from "./session.ts";
import { linkOf, newSession, type Session, type SessionEffect, type SessionEvent } from "./session-state.ts";

export interface PlainState {
  session: Session;
  user: string;
  /** The room line mode started in. */
  first: string;
  /** Rooms joined beyond the first, in order: lines go to the last one. */
  extra: string[];
  /** Rooms of `--room` still to join, each once the one before is up. */
  queue: string[];
  people: Map<string, People>;
  labelled: boolean;
  /** The first room's connection was lost (its return is said once). */
  lost: boolean;
  /** A failed send was reported and none has succeeded since. */
  told: boolean;
  /** Input that waits while a room is being joined. */
  held: PlainInput[];
}

type PlainInput = { type: "line"; text: string; now: Date } | { type: "input-end"; now: Date };
export type PlainEvent = PlainInput | SessionEvent | RecordsEvent;
export type PlainEffect = SessionEffect | { type: "out"; lines: string[] } | { type: "err"; lines: string[] };
type Result = [PlainState, PlainEffect[]];

export function initialPlain(rooms: string[], user: string): PlainState {
  const first = rooms[0] as string;
  return {
    session: newSession(user, [first], { joinAfterHistory: true, required: [first] }),
    user,
    first,
    extra: [],
    queue: rooms.slice(1),
    people: new Map(),
    labelled: rooms.length > 1,
    lost: false,
    told: false,
    held: [],
  };
}

/** One record as the lines line mode prints (a leave record adds the original's hint). */
export function plainLines(decoded: Decoded): string[] {
  const time = clock(decoded.time);
  if (!decoded.ok)
    return [`${time} ⚠ malformed record: ${safeText(`${decoded.problem}: ${decoded.detail}`)}`];
  const { sender, message, end } = decoded.record;
  const text = safeText(message.replace(/^[\r\n]+|[\r\n]+$/g, "").normalize("NFC"));
  if (end) return [`${time} ${text}`, LEAVE_HINT];
  return [`${time} ${safeText(sender.normalize("NFC"))}: ${text}`];
}

const current = (state: PlainState) => state.extra.at(-1) ?? state.first;
const err = (...lines: string[]): PlainEffect => ({ type: "err", lines });

function session(
  state: PlainState,
  [next, effects]: [Session, SessionEffect[]],
  more: PlainEffect[] = [],
): Result {
  return [{ ...state, session: next }, [...more, ...effects]];
}

function onLine(state: PlainState, text: string, now: Date): Result {
  if (text.trim() === "exit") return session(state, leaveAll(state.session, now));
  if (text.trim() === "") return [state, []];
  const room = current(state);
  const action = lineAction(text, room, state.people.get(room) ?? [], now);
  switch (action.type) {
    case "send": {
      const [next, effects] = enqueue(state.session, room, textRecord(state.user, action.text, now), now);
      return session(state, [next, effects]);
    }
    case "print":
      return [state, [{ type: "out", lines: action.lines }]];
    case "error":
      return [state, [err(action.message)]];
    case "join":
      if (action.room === state.first || state.extra.includes(action.room))
        return [state, [err(`/join: already in #${safeText(action.room)}`)]];
      return session(
        { ...state, extra: [...state.extra, action.room] },
        joinLink(state.session, action.room),
      );
    case "part": {
      const name = action.room ?? room;
      if (!state.extra.includes(name))
        return [
          state,
          [
            err(
              name === state.first
                ? `/part: #${safeText(name)} is the room line mode started in: exit (or the end of input) leaves it`
                : `/part: not in #${safeText(name)}`,
            ),
          ],
        ];
      const extra = state.extra.filter((r) => r !== name);
      return session({ ...state, extra }, partLink(state.session, name, leaveRecord(state.user, now), now));
    }
  }
}

function onRecords(state: PlainState, event: RecordsEvent): Result {
  const people = new Map(state.people).set(
    event.room,
    seen(state.people.get(event.room) ?? [], event.records),
  );
  const label = state.labelled ? `#${safeText(event.room)} ` : "";
  const lines = event.records.flatMap((decoded) => plainLines(decoded).map((line) => label + line));
  return [{ ...state, people }, [{ type: "out", lines }]];
}

function onConnection(state: PlainState, event: Extract<SessionEvent, { type: "connection" }>): Result {
  const reason = event.reason ?? "unknown";
  if (event.room !== state.first) {
    if (event.state !== "reconnecting") return [state, []];
    return [
      state,
      [err(`connection to Kafka lost in #${safeText(event.room ?? "")} (${reason}); reconnecting`)],
    ];
  }
  if (event.state === "reconnecting")
    return [{ ...state, lost: true }, [err(`connection to Kafka lost (${reason}); reconnecting`)]];
  if (event.state === "connected" && state.lost)
    return [{ ...state, lost: false }, [err("connected to Kafka again")]];
  return [state, []];
}

/** What line mode says about an event before the session takes it. */
function notice(state: PlainState, event: PlainEvent): Result {
  switch (event.type) {
    case "records":
      return onRecords(state, event);
    case "connection":
      return onConnection(state, event);
    case "send-failed": {
      const item = state.session.outbox.find((o) => o.id === event.id);
      if (!item || state.told) return [state, []];
      return [
        { ...state, told: true },
        [err(`not sent yet, retrying: ${JSON.stringify(item.record.message)} (${event.reason})`)],
      ];
    }
    case "sent":
      return state.session.inFlight === event.id ? [{ ...state, told: false }, []] : [state, []];
    case "linked":
      return state.extra.includes(event.room) ? [{ ...state, labelled: true }, []] : [state, []];
    case "join-failed":
      if (event.room === state.first) return [state, []];
      return [
        { ...state, extra: state.extra.filter((r) => r !== event.room) },
        [err(`/join: could not join #${safeText(event.room)}: ${event.reason}`)],
      ];
    default:
      return [state, []];
  }
}

/** A room is being joined: input waits, and so does the next room of `--room`. */
const joining = (state: PlainState) =>
  state.session.links.some((link) => link.phase === "joining" || link.phase === "history");

/** Joins the next room of `--room`, then takes the input that waited, while nothing is being joined. */
function advance(state: PlainState, effects: PlainEffect[]): Result {
  let next = state;
  const out = [...effects];
  while (!joining(next) && next.session.phase === "open") {
    let more: PlainEffect[];
    const room = next.queue[0];
    if (room !== undefined) {
      const queue = next.queue.slice(1);
      if (linkOf(next.session, room) || room === next.first) {
        next = { ...next, queue };
        continue;
      }
      [next, more] = session({ ...next, queue, extra: [...next.extra, room] }, joinLink(next.session, room));
    } else {
      const input = next.held[0];
      if (!input) break;
      next = { ...next, held: next.held.slice(1) };
      [next, more] =
        input.type === "line"
          ? onLine(next, input.text, input.now)
          : session(next, leaveAll(next.session, input.now));
    }
    out.push(...more);
  }
  // Leaving: what was typed after `exit` is not sent.
  if (next.session.phase !== "open" && next.held.length > 0) next = { ...next, held: [] };
  return [next, out];
}

export function plainUpdate(state: PlainState, event: PlainEvent): Result {
  if (event.type === "line" || event.type === "input-end")
    return advance({ ...state, held: [...state.held, event] }, []);
  if (event.type === "records") return onRecords(state, event);
  const [noted, said] = notice(state, event);
  const [next, effects] = updateSession(noted.session, event);
  return advance({ ...noted, session: next }, [...said, ...effects]);
}
