/**
 * The full-screen chat, wired: keys, resizes and signals from Io become events of the pure core
 * (update/view), the interpreter (loop.ts) carries out the session's effects, and the screen
 * writer — the only thing that touches the terminal — carries out the screen's and draws. The
 * terminal is given back on every way out: at the end of leaving, and first thing in a crash,
 * whose bounded goodbye then runs before the error is handed to main.ts to print on the normal
 * screen.
 */
import type { Io, Signal } from "../cli.ts";
import { notification } from "../term/ansi.ts";
import { ESC_TIMEOUT_MS, KeyDecoder } from "../term/keys.ts";
import { type Pace, Screen } from "../term/screen.ts";
import { type ChatSession, type ModeEffect, runLoop } from "./loop.ts";
import type { SessionEffect } from "./session-state.ts";
import {
  type ChatEffect,
  type ChatEvent,
  type ChatState,
  initialState,
  roomIndex,
  type Size,
} from "./state.ts";
import { update } from "./update.ts";
import { view } from "./view.ts";

type ScreenEffect = Exclude<ChatEffect, SessionEffect>;

function terminalSize(io: Io): Size {
  const [cols, rows] = io.stdout.getWindowSize?.() ?? [io.stdout.columns ?? 80, io.stdout.rows ?? 24];
  return { cols: cols || 80, rows: rows || 24 };
}

/** Keys are drawn at once; records for a room not shown only move its counter in the room bar. */
function paceOf(state: ChatState, event: ChatEvent): Pace {
  if (event.type === "key") return "urgent";
  if (event.type === "records" && roomIndex(state, event.room) !== state.current) return "background";
  return "frame";
}

export async function runChat(session: ChatSession, io: Io): Promise<number> {
  const screen = new Screen({ stdin: io.stdin, stdout: io.stdout }, undefined, session.options.mouse);
  const decoder = new KeyDecoder();
  let cancelEsc: (() => void) | null = null;

  const loop = runLoop<ReturnType<typeof initialState>, ChatEvent, ScreenEffect>({
    state: initialState(session.rooms, session.user, terminalSize(io), session.options),
    update,
    session,
    clock: io.clock,
    perform,
    changed: (state, event) => screen.request(frame, paceOf(state, event)),
  });
  const frame = () => view(loop.state());
  const now = () => io.clock.now();

  function perform(effect: ModeEffect<ScreenEffect>) {
    switch (effect.type) {
      case "bell":
        return screen.bell();
      case "notify":
        if (session.options.notify)
          screen.notify(notification(session.options.notify, effect.title, effect.body));
        return;
      case "redraw":
        return screen.invalidate();
      case "suspend":
        return suspend();
      case "input-off":
        return inputOff();
      case "screen-off":
        return screen.stop();
    }
  }

  const onData = (bytes: Buffer) => {
    cancelEsc?.();
    cancelEsc = null;
    const at = now();
    for (const key of decoder.feed(bytes)) loop.dispatch({ type: "key", key, now: at });
    if (decoder.hasPending()) {
      cancelEsc = io.clock.after(ESC_TIMEOUT_MS, () => {
        cancelEsc = null;
        for (const key of decoder.flush()) loop.dispatch({ type: "key", key, now: now() });
      });
    }
  };
  function inputOff() {
    io.stdin.off("data", onData);
    io.stdin.pause();
    cancelEsc?.();
  }
  const resized = () => {
    // xterm resets the scroll region on resize, and a same-size SIGWINCH asks for a redraw.
    screen.invalidate();
    loop.dispatch({ type: "resize", size: terminalSize(io) });
  };
  function suspend() {
    screen.suspend();
    io.signals.stop();
  }
  const leave = () => loop.dispatch({ type: "leave", now: now() });
  const handlers: [Signal, () => void][] = [
    ["SIGWINCH", resized],
    ["SIGTERM", leave],
    ["SIGHUP", leave],
    ["SIGINT", leave],
    ["SIGTSTP", suspend],
    [
      "SIGCONT",
      () => {
        screen.resume();
        resized();
      },
    ],
  ];
  const offs = handlers.map(([signal, handler]) => io.signals.on(signal, handler));
  const offCrash = io.onCrash((error) => loop.dispatch({ type: "crash", error, now: now() }));

  screen.start();
  io.stdin.on("data", onData);
  io.stdin.resume();
  screen.request(frame);
  loop.dispatch({ type: "start" });

  const ending = await loop.ended;
  screen.stop();
  inputOff();
  for (const off of offs) off();
  offCrash();
  if (ending.crashed) throw ending.error;
  if (ending.unsent.length > 0) {
    io.stderr.write(`dchat chat: ${ending.unsent.length} message(s) were not sent (Kafka unreachable):\n`);
    for (const record of ending.unsent) io.stderr.write(`  ${JSON.stringify(record.message)}\n`);
  }
  if (!ending.leftOk)
    io.stderr.write("dchat chat: the leave record could not be delivered (Kafka unreachable)\n");
  return ending.code;
}
