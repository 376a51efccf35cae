/**
 * A whole chat session driven through `update` alone — no Kafka, no terminal, no timers: every
 * outcome from outside (a link up, an acknowledgement, a failure, a timer firing) is an event the
 * test feeds, and every effect is a value the test reads.
 */
import { describe, expect, test } from "bun:test";
import type { KeyEvent } from "../term/keys.ts";
import { decode, encode, joinRecord, leaveRecord, textRecord } from "../wire.ts";
import { entriesOf } from "./scrollback.ts";
import { CRASH_LEAVE_MS, LEAVE_TIMEOUT_MS, RETRY_FIRST_MS } from "./session-state.ts";
import { type ChatEffect, type ChatEvent, type ChatState, initialState, shown } from "./state.ts";
import { update } from "./update.ts";
import { view } from "./view.ts";

const options = { color: false, ambiguousWide: false, mouse: false };
let clock = new Date(2024, 7, 26, 11, 26, 0).getTime();
/** Each event a second after the last. */
const tick = () => {
  clock += 1000;
  return new Date(clock);
};

class Session {
  state: ChatState;
  effects: ChatEffect[] = [];
  constructor(rooms: string[]) {
    this.state = initialState(rooms, "me", { cols: 60, rows: 12 }, options);
  }
  /** Applies the events; returns the effects they asked for. */
  feed(...events: ChatEvent[]): ChatEffect[] {
    const out: ChatEffect[] = [];
    for (const event of events) {
      const [next, effects] = update(this.state, event);
      this.state = next;
      out.push(...effects);
    }
    this.effects.push(...out);
    return out;
  }
  type(text: string): ChatEffect[] {
    const now = tick();
    const enter = { type: "key", name: "enter", ctrl: false, alt: false, shift: false } as KeyEvent;
    return this.feed({ type: "key", key: { type: "text", text }, now }, { type: "key", key: enter, now });
  }
  entry(text: string) {
    return entriesOf(shown(this.state).scrollback).filter((e) => e.text === text);
  }
  status(): string {
    return view(this.state).rows[8] ?? "";
  }
}

const sends = (effects: ChatEffect[]) =>
  effects.flatMap((e) => (e.type === "send" ? [{ id: e.id, room: e.room, message: e.record.message }] : []));
const timers = (effects: ChatEffect[]) =>
  effects.flatMap((e) => (e.type === "timer" ? [[e.name, e.ms] as const] : []));
const of = <T extends ChatEffect["type"]>(effects: ChatEffect[], type: T) =>
  effects.filter((e): e is Extract<ChatEffect, { type: T }> => e.type === type);

describe("a chat session, through update only", () => {
  test("join → send → broker lost → queued → back → delivered once → leave with a message still unsent", () => {
    const s = new Session(["team2"]);
    expect(s.feed({ type: "start" })).toEqual([{ type: "connect", room: "team2" }]);

    // Joined: the join record goes first.
    const joined = tick();
    const [join] = sends(s.feed({ type: "linked", room: "team2", now: joined }));
    expect(join).toMatchObject({ room: "team2", message: joinRecord("me", joined).message });
    expect(s.status()).toContain("● connected");
    expect(sends(s.feed({ type: "sent", id: join?.id as number, now: tick() }))).toEqual([]);

    // A message goes out at once.
    const [hello] = sends(s.type("hello")) as [ReturnType<typeof sends>[number]];
    expect(hello).toMatchObject({ room: "team2", message: "hello" });
    const helloId = hello?.id as number;

    // The broker is lost; the send fails: the message is queued, marked, and a retry is timed.
    s.feed({ type: "connection", room: "team2", state: "reconnecting", reason: "broker down", now: tick() });
    const failed = s.feed({ type: "send-failed", id: helloId, reason: "leader down", now: tick() });
    expect(timers(failed)).toEqual([["retry", RETRY_FIRST_MS]]);
    expect(s.entry("hello")[0]?.delivery).toBe("queued");
    expect(s.status()).toContain("connection lost, reconnecting");
    expect(s.status()).toContain("1 unsent");

    // The retry fails too: the next wait is twice as long.
    expect(sends(s.feed({ type: "timer", name: "retry", now: tick() }))).toEqual([hello]);
    const again = s.feed({ type: "send-failed", id: helloId, reason: "leader down", now: tick() });
    expect(timers(again)).toEqual([["retry", RETRY_FIRST_MS * 2]]);

    // A second message waits behind the first, in order.
    expect(sends(s.type("second"))).toEqual([]);
    expect(s.status()).toContain("2 unsent");

    // The connection is back: the retry goes now, not after the backoff.
    const back = s.feed({ type: "connection", room: "team2", state: "connected", now: tick() });
    expect(of(back, "cancel").map((e) => e.name)).toContain("retry");
    expect(sends(back)).toEqual([hello]);
    expect(entriesOf(shown(s.state).scrollback).at(-1)?.text).toBe("Connection to Kafka is back.");

    // Delivered: marked sent, and its copy coming back from Kafka is not shown twice.
    const [second] = sends(s.feed({ type: "sent", id: helloId, now: tick() })) as [
      ReturnType<typeof sends>[number],
    ];
    expect(second).toMatchObject({ message: "second" });
    const echo = textRecord("me", "hello", s.entry("hello")[0]?.time as Date);
    s.feed({ type: "records", room: "team2", records: [decode(encode(echo), 0)], live: true, now: tick() });
    expect(s.entry("hello")).toHaveLength(1);
    expect(s.entry("hello")[0]?.delivery).toBe("sent");
    // Sent three times (the first try, the timed retry, the retry when back), acknowledged once.
    expect(sends(s.effects).filter((x) => x.message === "hello")).toHaveLength(3);

    // Lost again while the second is in flight; the user leaves.
    s.feed({ type: "send-failed", id: second?.id as number, reason: "broker down", now: tick() });
    const leaving = tick();
    const leave = s.feed({
      type: "key",
      key: { type: "key", name: "c", ctrl: true, alt: false, shift: false },
      now: leaving,
    });
    expect(of(leave, "input-off")).toHaveLength(1);
    expect(timers(leave)).toEqual([["leave", LEAVE_TIMEOUT_MS]]);
    expect(sends(leave)).toEqual([]);
    expect(s.status()).toContain("leaving…");

    // Still retried while leaving; the leave time runs out with it unsent: the leave record goes.
    expect(sends(s.feed({ type: "timer", name: "retry", now: tick() }))).toEqual([second]);
    s.feed({ type: "send-failed", id: second?.id as number, reason: "broker down", now: tick() });
    const goodbye = s.feed({ type: "timer", name: "leave", now: tick() });
    expect(sends(goodbye)).toEqual([
      { id: expect.any(Number), room: "team2", message: leaveRecord("me", leaving).message },
    ]);
    expect(of(goodbye, "cancel").map((e) => e.name)).toContain("retry");

    // The leave record is acknowledged, the link closed: the session ends, the second unsent.
    const [leaveSend] = sends(goodbye);
    const closing = s.feed({ type: "sent", id: leaveSend?.id as number, now: tick() });
    expect(of(closing, "close")).toEqual([{ type: "close", room: "team2" }]);
    const ended = s.feed({ type: "closed", room: "team2", now: tick() });
    expect(of(ended, "exit")).toEqual([
      {
        type: "exit",
        code: 1,
        unsent: [expect.objectContaining({ message: "second" })],
        leftOk: true,
        crashed: false,
        error: null,
      },
    ]);
    // Nothing more happens after the end.
    expect(s.feed({ type: "timer", name: "retry", now: tick() })).toEqual([]);
  });

  test("leaving with nothing queued sends the leave record at once; an unacknowledged one is reported", () => {
    const s = new Session(["team2", "ops"]);
    s.feed({ type: "start" });
    for (const room of ["team2", "ops"]) {
      const [join] = sends(s.feed({ type: "linked", room, now: tick() }));
      s.feed({ type: "sent", id: join?.id as number, now: tick() });
    }
    const leave = s.feed({ type: "leave", now: tick() });
    expect(sends(leave).map((x) => x.room)).toEqual(["team2", "ops"]);
    const [team2, ops] = sends(leave);
    s.feed(
      { type: "sent", id: team2?.id as number, now: tick() },
      { type: "closed", room: "team2", now: tick() },
    );
    const ended = s.feed({ type: "timer", name: "goodbye:ops", now: tick() });
    expect(of(ended, "exit")).toEqual([
      { type: "exit", code: 1, unsent: [], leftOk: false, crashed: false, error: null },
    ]);
    // A late acknowledgement changes nothing.
    expect(s.feed({ type: "sent", id: ops?.id as number, now: tick() })).toEqual([]);
  });

  test("a crash gives the terminal back first, says goodbye, and reports the error (bounded)", () => {
    const s = new Session(["team2"]);
    s.feed({ type: "start" });
    const [join] = sends(s.feed({ type: "linked", room: "team2", now: tick() }));
    s.feed({ type: "sent", id: join?.id as number, now: tick() });
    const bug = new Error("boom");
    const crashed = s.feed({ type: "crash", error: bug, now: tick() });
    expect(crashed[0]).toEqual({ type: "screen-off" });
    expect(sends(crashed).map((x) => x.message)).toEqual([leaveRecord("me", new Date()).message]);
    expect(timers(crashed)).toEqual([["crash", CRASH_LEAVE_MS]]);
    // The same bug again while saying goodbye is not a second crash.
    expect(s.feed({ type: "crash", error: new Error("again"), now: tick() })).toEqual([]);
    const ended = s.feed({ type: "timer", name: "crash", now: tick() });
    expect(of(ended, "exit")).toEqual([
      { type: "exit", code: 0, unsent: [], leftOk: true, crashed: true, error: bug },
    ]);
  });

  test("a room given at the start that cannot be joined ends the session with its error", () => {
    const s = new Session(["team2"]);
    s.feed({ type: "start" });
    const refused = new Error("topic authorization failed");
    const effects = s.feed({
      type: "join-failed",
      room: "team2",
      reason: refused.message,
      error: refused,
      now: tick(),
    });
    expect(of(effects, "exit")).toEqual([
      { type: "exit", code: 0, unsent: [], leftOk: true, crashed: true, error: refused },
    ]);
  });

  test("/part drains that room's queue, then its leave record, then closes; a room left while joining is closed when it comes up", () => {
    const s = new Session(["team2", "ops"]);
    s.feed({ type: "start" });
    for (const room of ["team2", "ops"]) {
      const [join] = sends(s.feed({ type: "linked", room, now: tick() }));
      s.feed({ type: "sent", id: join?.id as number, now: tick() });
    }
    s.feed({
      type: "key",
      key: { type: "key", name: "2", ctrl: false, alt: true, shift: false },
      now: tick(),
    });
    const [msg] = sends(s.type("bye all"));
    const parted = s.type("/part");
    expect(sends(parted)).toEqual([]);
    expect(timers(parted)).toEqual([["part:ops", LEAVE_TIMEOUT_MS]]);
    const [goodbye] = sends(s.feed({ type: "sent", id: msg?.id as number, now: tick() }));
    expect(goodbye).toMatchObject({ room: "ops", message: leaveRecord("me", new Date()).message });
    expect(of(s.feed({ type: "sent", id: goodbye?.id as number, now: tick() }), "close")).toEqual([
      { type: "close", room: "ops" },
    ]);

    s.type("/join later");
    s.type("/part later");
    expect(s.feed({ type: "linked", room: "later", now: tick() })).toEqual([
      { type: "close", room: "later" },
      { type: "timer", name: "close:later", ms: expect.any(Number) },
    ]);
  });
});
