import { expect, test } from "bun:test";
import type { Clock } from "../cli.ts";
import type { ChatRecord } from "../wire.ts";
import { type ChatSession, runLoop } from "./loop.ts";
import {
  initialPlain,
  type PlainEffect,
  type PlainEvent,
  type PlainState,
  plainUpdate,
} from "./plain-update.ts";
import type { RoomLink } from "./room.ts";
import type { SessionEffect } from "./session-state.ts";

/** A clock whose timers fire only when the test says so. */
function manualClock() {
  const timers: { ms: number; run: () => void; live: boolean }[] = [];
  const clock: Clock = {
    now: () => new Date(2024, 7, 26, 11, 26),
    after(ms, run) {
      const timer = { ms, run, live: true };
      timers.push(timer);
      return () => {
        timer.live = false;
      };
    },
  };
  const fire = (ms: number) => {
    const timer = timers.find((t) => t.live && t.ms === ms);
    if (!timer) throw new Error(`no ${ms} ms timer; live: ${timers.filter((t) => t.live).map((t) => t.ms)}`);
    timer.live = false;
    timer.run();
  };
  return { clock, fire, live: () => timers.filter((t) => t.live).map((t) => t.ms) };
}

/** A room whose first `failures` sends fail; what it delivered and whether it was closed. */
function room(failures: number) {
  const delivered: string[] = [];
  let left = failures;
  let closed = false;
  const link: RoomLink = {
    groupId: "g",
    historyLoaded: Promise.resolve(),
    send: async (record: ChatRecord) => {
      if (left-- > 0) throw new Error("leader down");
      delivered.push(record.message);
    },
    close: async () => {
      closed = true;
    },
  };
  const session: ChatSession = {
    rooms: ["team2"],
    user: "me",
    options: { color: false, ambiguousWide: false, mouse: false },
    join: async () => link,
  };
  return { session, delivered, closed: () => closed };
}

const settle = () => Bun.sleep(0);

test("the interpreter carries out timers through the clock: a failed send waits for its retry timer", async () => {
  const { clock, fire, live } = manualClock();
  const { session, delivered, closed } = room(1);
  const printed: string[] = [];
  const loop = runLoop<PlainState, PlainEvent, Exclude<PlainEffect, SessionEffect>>({
    state: initialPlain(["team2"], "me"),
    update: plainUpdate,
    session,
    clock,
    perform: (effect) => {
      if (effect.type === "err") printed.push(...effect.lines);
    },
  });
  loop.dispatch({ type: "start" });
  loop.dispatch({ type: "line", text: "hello", now: clock.now() });
  await settle();
  // The join record failed: nothing more goes out until the clock fires the retry.
  expect(delivered).toEqual([]);
  expect(printed).toEqual([
    'not sent yet, retrying: "User [me] has entered the chat!\\n" (Error: leader down)',
  ]);
  expect(live()).toContain(500);
  fire(500);
  await settle();
  expect(delivered).toEqual(["User [me] has entered the chat!\n", "hello"]);
  loop.dispatch({ type: "input-end", now: clock.now() });
  await settle();
  expect(await loop.ended).toMatchObject({ code: 0, unsent: [], leftOk: true, crashed: false });
  expect(delivered.at(-1)).toBe("\nUser [me] has exited the chatroom.");
  expect(closed()).toBe(true);
  // Every timer the session started is gone once it ended.
  expect(live()).toEqual([]);
});

test("a bug in update becomes a crash: the terminal first, then the goodbye, then the error", async () => {
  const { clock } = manualClock();
  const { session, delivered } = room(0);
  const done: string[] = [];
  const bug = new Error("a bug in update");
  const loop = runLoop<PlainState, PlainEvent, Exclude<PlainEffect, SessionEffect>>({
    state: initialPlain(["team2"], "me"),
    update: (state, event) => {
      if (event.type === "line" && event.text === "boom") throw bug;
      return plainUpdate(state, event);
    },
    session,
    clock,
    perform: (effect) => {
      if (effect.type === "screen-off" || effect.type === "input-off") done.push(effect.type);
    },
  });
  loop.dispatch({ type: "start" });
  await settle();
  loop.dispatch({ type: "line", text: "boom", now: clock.now() });
  await settle();
  const ending = await loop.ended;
  expect(ending).toMatchObject({ crashed: true, error: bug });
  expect(done).toEqual(["screen-off", "input-off"]);
  expect(delivered).toEqual(["User [me] has entered the chat!\n", "\nUser [me] has exited the chatroom."]);
});
