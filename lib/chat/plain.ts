/**
 * Line mode, for when stdin or stdout is not a terminal (pipes, scripts, CI), wired: input lines
 * and signals from Io become events of plain-update.ts, the interpreter (loop.ts) carries out the
 * session's effects, and printed lines go to stdout and stderr. Leaving reports on stderr what
 * could not be sent (exit 1); a crash (a bug) says goodbye within a bounded time, then the error
 * is handed to main.ts.
 */
import { createInterface } from "node:readline";
import type { Io, Signal } from "../cli.ts";
import { type ChatSession, type ModeEffect, runLoop } from "./loop.ts";
import {
  initialPlain,
  type PlainEffect,
  type PlainEvent,
  type PlainState,
  plainUpdate,
} from "./plain-update.ts";
import type { SessionEffect } from "./session-state.ts";

type LineEffect = Exclude<PlainEffect, SessionEffect>;

export async function runPlain(session: ChatSession, io: Io): Promise<number> {
  const warn = (line: string) => io.stderr.write(`dchat chat: ${line}\n`);
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  const loop = runLoop<PlainState, PlainEvent, LineEffect>({
    state: initialPlain(session.rooms, session.user),
    update: plainUpdate,
    session,
    clock: io.clock,
    perform(effect: ModeEffect<LineEffect>) {
      if (effect.type === "out") for (const line of effect.lines) io.stdout.write(`${line}\n`);
      else if (effect.type === "err") for (const line of effect.lines) warn(line);
      else if (effect.type === "input-off") lines.close();
    },
  });
  const now = () => io.clock.now();
  lines.on("line", (text) => loop.dispatch({ type: "line", text, now: now() }));
  lines.on("close", () => loop.dispatch({ type: "input-end", now: now() }));
  const signals: Signal[] = ["SIGTERM", "SIGINT", "SIGHUP"];
  const offs = signals.map((signal) =>
    io.signals.on(signal, () => loop.dispatch({ type: "leave", now: now() })),
  );
  const offCrash = io.onCrash((error) => loop.dispatch({ type: "crash", error, now: now() }));
  loop.dispatch({ type: "start" });

  const ending = await loop.ended;
  lines.close();
  for (const off of offs) off();
  offCrash();
  if (ending.crashed) throw ending.error;
  for (const record of ending.unsent) warn(`not sent: ${JSON.stringify(record.message)} (Kafka unreachable)`);
  if (!ending.leftOk) warn("the leave record could not be delivered (Kafka unreachable)");
  return ending.code;
}
