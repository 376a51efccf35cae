import { describe, expect, test } from "bun:test";
import type { KeyEvent } from "../term/keys.ts";
import { type Decoded, decode, encode, joinRecord, leaveRecord, textRecord } from "../wire.ts";
import { entriesOf } from "./scrollback.ts";
import { isLeaving } from "./session-state.ts";
import { type ChatEffect, type ChatEvent, type ChatState, initialState, shown } from "./state.ts";
import { update } from "./update.ts";

const now = new Date(2024, 7, 26, 11, 26, 28, 670);

/** The rooms' links up and their join records acknowledged, as once a chat session has started. */
function connected(state: ChatState, at: Date): ChatState {
  for (const room of state.rooms) {
    [state] = update(state, { type: "linked", room: room.name, now: at });
    [state] = update(state, { type: "sent", id: state.session.inFlight as number, now: at });
  }
  return state;
}

const base = () =>
  connected(
    initialState("team2", "me", { cols: 60, rows: 20 }, { color: true, ambiguousWide: false, mouse: false }),
    now,
  );

/** The records sent, by room. */
const sends = (effects: ChatEffect[]) =>
  effects.flatMap((e) => (e.type === "send" ? [{ room: e.room, record: e.record }] : []));

function run(state: ChatState, ...events: ChatEvent[]): [ChatState, ChatEffect[]] {
  let effects: ChatEffect[] = [];
  for (const event of events) {
    const [next, more] = update(state, event);
    state = next;
    effects = [...effects, ...more];
  }
  return [state, effects];
}

const text = (t: string): ChatEvent => ({ type: "key", key: { type: "text", text: t }, now });
const key = (name: string, mods: Partial<Record<"ctrl" | "alt" | "shift", boolean>> = {}): ChatEvent => ({
  type: "key",
  key: { type: "key", name, ctrl: false, alt: false, shift: false, ...mods } as KeyEvent,
  now,
});
const rec = (sender: string, message: string, end = false): Decoded =>
  decode(encode({ sender, message, end, timestamp: "2024-08-26T11:30:00.000001" }), 0);
const records = (...list: Decoded[]): ChatEvent => ({ type: "records", records: list, live: true });

describe("update", () => {
  test("Enter sends the typed line as a text record and shows it as own, pending", () => {
    const [state, effects] = run(base(), text("안녕 hi"), key("enter"));
    const id = state.session.nextId - 1;
    expect(effects).toEqual([{ type: "send", id, room: "team2", record: textRecord("me", "안녕 hi", now) }]);
    expect(shown(state).editor.text).toBe("");
    expect(entriesOf(shown(state).scrollback).at(-1)).toMatchObject({
      kind: "own",
      text: "안녕 hi",
      sendId: id,
      delivery: "sending",
    });
    expect(state.session.outbox.map((o) => o.id)).toEqual([id]);
  });

  test("the sent record coming back from Kafka is not shown twice; ack marks it sent", () => {
    const [sent, effects] = run(base(), text("hello"), key("enter"));
    const { id, record } = effects[0] as Extract<ChatEffect, { type: "send" }>;
    const [state] = run(sent, { type: "sent", id, now }, records(decode(encode(record), 0)));
    expect(entriesOf(shown(state).scrollback).filter((e) => e.text === "hello")).toHaveLength(1);
    expect(entriesOf(shown(state).scrollback).at(-1)?.delivery).toBe("sent");
    expect(state.session.outbox).toEqual([]);
  });

  test("typing exit sends the leave record exactly as the original", () => {
    const [state, effects] = run(base(), text("exit"), key("enter"));
    expect(sends(effects)).toEqual([{ room: "team2", record: leaveRecord("me", now) }]);
    expect(isLeaving(state.session)).toBe(true);
  });

  test("Ctrl-C, and Ctrl-D on an empty line, leave the same way (once)", () => {
    expect(sends(run(base(), key("c", { ctrl: true }), key("c", { ctrl: true }))[1])).toEqual([
      { room: "team2", record: leaveRecord("me", now) },
    ]);
    expect(sends(run(base(), key("d", { ctrl: true }))[1])).toEqual([
      { room: "team2", record: leaveRecord("me", now) },
    ]);
    const [kept, none] = run(base(), text("ab"), key("home"), key("d", { ctrl: true }));
    expect(none).toEqual([]);
    expect(shown(kept).editor.text).toBe("b");
  });

  test("a multi-line paste stays in the input; Enter sends one record per non-empty line", () => {
    const paste: ChatEvent = { type: "key", key: { type: "paste", text: "one\n\ntwo" }, now };
    const [pasted, nothing] = run(base(), paste);
    expect(nothing).toEqual([]);
    expect(shown(pasted).editor.text).toBe("one\n\ntwo");
    const [sent, effects] = run(pasted, key("enter"));
    expect(sent.session.outbox.map((o) => o.record.message)).toEqual(["one", "two"]);
    // One at a time, in order: the second goes once the first is acknowledged.
    expect(sends(effects).map((s) => s.record.message)).toEqual(["one"]);
    const [, next] = run(sent, { type: "sent", id: sent.session.inFlight as number, now });
    expect(sends(next).map((s) => s.record.message)).toEqual(["two"]);
  });

  test("a message over the record limit is not sent and the text stays", () => {
    const big = "가".repeat(200_000);
    const [state, effects] = run(
      base(),
      { type: "key", key: { type: "paste", text: big }, now },
      key("enter"),
    );
    expect(effects).toEqual([]);
    expect(shown(state).editor.text).toBe(big);
    expect(entriesOf(shown(state).scrollback).at(-1)?.kind).toBe("notice");
  });

  test("records become entries by kind; malformed ones are kept, marked", () => {
    const bad = decode(new TextEncoder().encode("not json"), 0);
    const [state] = run(
      base(),
      records(
        decode(encode(joinRecord("you", now)), 0),
        rec("you", "hi"),
        rec("[bot]", "answer"),
        rec("you", "\nUser [you] has exited the chatroom.", true),
        bad,
      ),
    );
    expect(entriesOf(shown(state).scrollback).map((e) => e.kind)).toEqual([
      "info",
      "message",
      "bot",
      "leave",
      "malformed",
    ]);
  });

  test("a mention rings our bell only for live records from others", () => {
    expect(run(base(), records(rec("you", "hey @me")))[1]).toEqual([{ type: "bell" }]);
    expect(run(base(), { type: "records", records: [rec("you", "hey @me")], live: false })[1]).toEqual([]);
  });

  test("while scrolled up, new messages do not move the view and are counted; End returns", () => {
    const many = Array.from({ length: 100 }, (_, i) => rec("you", `line ${i}`));
    const [scrolledUp] = run(base(), records(...many), key("pageup"));
    expect(shown(scrolledUp).anchor).not.toBeNull();
    const [after] = run(scrolledUp, records(rec("you", "new 1"), rec("you", "new 2")));
    expect(shown(after).anchor).toEqual(shown(scrolledUp).anchor);
    expect(shown(after).unread).toBe(2);
    const [bottom] = run(after, key("end"));
    expect(shown(bottom).anchor).toBeNull();
    expect(shown(bottom).unread).toBe(0);
  });

  test("PageDown from the top eventually returns to following", () => {
    const many = Array.from({ length: 50 }, (_, i) => rec("you", `line ${i}`));
    let [state] = run(base(), records(...many), key("pageup"), key("pageup"), key("pageup"), key("pageup"));
    expect(shown(state).anchor).not.toBeNull();
    for (let i = 0; i < 5; i++) [state] = run(state, key("pagedown"));
    expect(shown(state).anchor).toBeNull();
  });

  test("connection loss keeps the typed text; a failed send stays queued and is marked", () => {
    const [typed] = run(base(), { type: "connection", state: "connected", now }, text("draft"));
    const [lost] = run(typed, { type: "connection", state: "reconnecting", now, reason: "broker down" });
    expect(shown(lost).editor.text).toBe("draft");
    expect(entriesOf(shown(lost).scrollback).at(-1)?.kind).toBe("notice");
    const [sent] = run(lost, key("enter"));
    const id = sent.session.inFlight as number;
    const [queued] = run(sent, { type: "send-failed", id, reason: "x", now });
    expect(entriesOf(shown(queued).scrollback).at(-1)?.delivery).toBe("queued");
    expect(queued.session.outbox.map((o) => o.id)).toEqual([id]);
    const [retried, again] = run(queued, { type: "timer", name: "retry", now });
    expect(again).toEqual([{ type: "send", id, room: "team2", record: textRecord("me", "draft", now) }]);
    const [delivered] = run(retried, { type: "sent", id, now });
    expect(entriesOf(shown(delivered).scrollback).at(-1)?.delivery).toBe("sent");
    expect(delivered.session.outbox).toEqual([]);
  });

  test("Ctrl-L asks for a redraw, Ctrl-Z for suspending", () => {
    expect(run(base(), key("l", { ctrl: true }))[1]).toEqual([{ type: "redraw" }]);
    expect(run(base(), key("z", { ctrl: true }))[1]).toEqual([{ type: "suspend" }]);
  });
});
