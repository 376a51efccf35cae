/**
 * The one interpreter of the chat's effects, shared by the full-screen chat (run.ts) and line
 * mode (plain.ts): it holds the state, reduces each event with the mode's `update`, and carries
 * out the session's effects — joining rooms, sending records, closing links, timers, the end —
 * turning their outcomes back into events. The mode's own effects (a frame, a bell, a printed
 * line) go to its `perform`.
 *
 * A bug in `update` is itself an event (`crash`), so the goodbye of a crash is reduced like any
 * other; if reducing the crash fails too, the session ends at once with that error.
 */
import type { Clock } from "../cli.ts";
import type { Decoded } from "../wire.ts";
import type { RoomHandlers, RoomLink } from "./room.ts";
import type { Ending, SessionEffect, SessionEvent } from "./session-state.ts";
import type { ChatOptions } from "./state.ts";

export interface ChatSession {
  /** Every room to join at the start, the first shown (line mode's first). */
  rooms: string[];
  user: string;
  options: ChatOptions;
  /** Connects to a room by its human name; records and connection changes arrive through the handlers. */
  join(room: string, handlers: RoomHandlers): Promise<RoomLink>;
}

/** Records of one room, as the link hands them over. */
export type RecordsEvent = { type: "records"; room: string; records: Decoded[]; live: boolean; now: Date };

/** The effects the mode carries out itself. */
export type ModeEffect<Own> = Own | Extract<SessionEffect, { type: "input-off" | "screen-off" }>;

export interface LoopOptions<State, Event, Own> {
  state: State;
  update(state: State, event: Event | SessionEvent | RecordsEvent): [State, (Own | SessionEffect)[]];
  session: ChatSession;
  clock: Clock;
  perform(effect: ModeEffect<Own>): void;
  /** After each event, with the new state (the full screen asks for a frame). */
  changed?(state: State, event: Event | SessionEvent | RecordsEvent): void;
}

export interface Loop<State, Event> {
  dispatch(event: Event | SessionEvent | RecordsEvent): void;
  state(): State;
  /** How the session ended (after the goodbye, or the crash's). */
  ended: Promise<Ending>;
}

function firstLine(error: unknown): string {
  const message = (error as { message?: string })?.message ?? String(error);
  return message.split("\n")[0] ?? message;
}

const SESSION_EFFECTS = new Set(["connect", "send", "close", "timer", "cancel", "exit"]);

export function runLoop<State, Event extends { type: string }, Own extends { type: string }>(
  options: LoopOptions<State, Event, Own>,
): Loop<State, Event> {
  const { clock } = options;
  let state = options.state;
  const links = new Map<string, RoomLink>();
  const timers = new Map<string, () => void>();
  let over = false;
  let finish!: (ending: Ending) => void;
  const ended = new Promise<Ending>((resolve) => {
    finish = resolve;
  });

  const stop = (ending: Ending) => {
    if (over) return;
    over = true;
    for (const cancel of timers.values()) cancel();
    timers.clear();
    finish(ending);
  };
  const later = (event: Event | SessionEvent | RecordsEvent) => queueMicrotask(() => dispatch(event));

  function dispatch(event: Event | SessionEvent | RecordsEvent): void {
    if (over) return;
    let effects: (Own | SessionEffect)[];
    try {
      [state, effects] = options.update(state, event);
    } catch (error) {
      if (event.type !== "crash") dispatch({ type: "crash", error, now: clock.now() });
      else {
        // The crash's own handling failed: the terminal back and the error out, nothing more.
        for (const effect of ["screen-off", "input-off"] as const) options.perform({ type: effect });
        stop({ code: 1, unsent: [], leftOk: false, crashed: true, error });
      }
      return;
    }
    try {
      for (const effect of effects) perform(effect);
      options.changed?.(state, event);
    } catch (error) {
      dispatch({ type: "crash", error, now: clock.now() });
    }
  }

  function perform(effect: Own | SessionEffect) {
    if (!SESSION_EFFECTS.has(effect.type)) return options.perform(effect as ModeEffect<Own>);
    const session = effect as SessionEffect;
    switch (session.type) {
      case "connect":
        return connect(session.room);
      case "send": {
        const link = links.get(session.room);
        if (!link)
          return later({ type: "send-failed", id: session.id, reason: "not connected", now: clock.now() });
        link.send(session.record).then(
          () => dispatch({ type: "sent", id: session.id, now: clock.now() }),
          (error: unknown) =>
            dispatch({ type: "send-failed", id: session.id, reason: String(error), now: clock.now() }),
        );
        return;
      }
      case "close": {
        const link = links.get(session.room);
        links.delete(session.room);
        const closed = () => dispatch({ type: "closed", room: session.room, now: clock.now() });
        if (link) link.close().then(closed, closed);
        else later({ type: "closed", room: session.room, now: clock.now() });
        return;
      }
      case "timer": {
        timers.get(session.name)?.();
        const cancel = clock.after(session.ms, () => {
          timers.delete(session.name);
          dispatch({ type: "timer", name: session.name, now: clock.now() });
        });
        timers.set(session.name, cancel);
        return;
      }
      case "cancel":
        timers.get(session.name)?.();
        timers.delete(session.name);
        return;
      case "exit":
        return stop(session);
    }
  }

  function connect(room: string): void {
    const handlers: RoomHandlers = {
      records: (records, live) => dispatch({ type: "records", room, records, live, now: clock.now() }),
      connection: (connection, reason) =>
        dispatch({ type: "connection", room, state: connection, reason, now: clock.now() }),
    };
    options.session.join(room, handlers).then(
      (link) => {
        // The session is over (a crash's bounded goodbye ran out): nobody will close it later.
        if (over) return void link.close();
        links.set(room, link);
        dispatch({ type: "linked", room, now: clock.now() });
        link.historyLoaded.then(() => dispatch({ type: "history-loaded", room, now: clock.now() }));
      },
      (error: unknown) =>
        dispatch({ type: "join-failed", room, reason: firstLine(error), error, now: clock.now() }),
    );
  }

  return { dispatch, state: () => state, ended };
}
