import { describe, expect, test } from "bun:test";
import type { KeyEvent } from "../term/keys.ts";
import { type Decoded, decode, encode, joinRecord, leaveRecord } from "../wire.ts";
import { HELP } from "./commands.ts";
import { PRESENCE_LEASE_MS } from "./presence.ts";
import { BURST_QUIET_MS } from "./records.ts";
import { roomBar } from "./roombar.ts";
import { entriesOf } from "./scrollback.ts";
import { isLeaving } from "./session-state.ts";
import {
  type ChatEffect,
  type ChatEvent,
  type ChatOptions,
  type ChatState,
  initialState,
  shown,
} from "./state.ts";
import { update } from "./update.ts";
import { view } from "./view.ts";

const now = new Date(2024, 7, 26, 11, 26, 28, 670);

/** The rooms' links up and their join records acknowledged, as once a chat session has started. */
function connected(state: ChatState, at: Date): ChatState {
  for (const room of state.rooms) {
    [state] = update(state, { type: "linked", room: room.name, now: at });
    [state] = update(state, { type: "sent", id: state.session.inFlight as number, now: at });
  }
  return state;
}
const options: ChatOptions = { color: false, ambiguousWide: false, mouse: false };
const base = (rooms = ["team2", "ops", "팀2"], more: Partial<ChatOptions> = {}) =>
  connected(initialState(rooms, "민수", { cols: 80, rows: 20 }, { ...options, ...more }), now);

/** The records sent, by room. */
const sends = (effects: ChatEffect[]) =>
  effects.flatMap((e) => (e.type === "send" ? [[e.room, e.record.message]] : []));

function run(state: ChatState, ...events: ChatEvent[]): [ChatState, ChatEffect[]] {
  let effects: ChatEffect[] = [];
  for (const event of events) {
    const [next, more] = update(state, event);
    state = next;
    effects = [...effects, ...more];
  }
  return [state, effects];
}

const type = (t: string): ChatEvent => ({ type: "key", key: { type: "text", text: t }, now });
const key = (name: string, mods: Partial<Record<"ctrl" | "alt" | "shift", boolean>> = {}): ChatEvent => ({
  type: "key",
  key: { type: "key", name, ctrl: false, alt: false, shift: false, ...mods } as KeyEvent,
  now,
});
const line = (t: string): ChatEvent[] => [type(t), key("enter")];
const rec = (sender: string, message: string, time = "2024-08-26T11:30:00.000001", end = false): Decoded =>
  decode(encode({ sender, message, end, timestamp: time }), 0);
const into = (room: string, list: Decoded[], at = now): ChatEvent => ({
  type: "records",
  room,
  records: list,
  live: true,
  now: at,
});
const texts = (state: ChatState, index = state.current) =>
  entriesOf((state.rooms[index] as ChatState["rooms"][number]).scrollback).map((e) => e.text);
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");
/** The screen's rows without their SGR styling. */
const screen = (state: ChatState) => view(state).rows.map(plain);
const statusRow = (state: ChatState) => screen(state)[screen(state).length - 4] as string;

describe("several rooms", () => {
  test("records land in their own room; the bar counts what arrived elsewhere, @ for a mention", () => {
    const [state, effects] = run(
      base(),
      into("ops", [rec("kim", "deploy done"), rec("kim", "민수야 확인 부탁")]),
      into("팀2", [rec("lee", "점심?")]),
    );
    expect(texts(state, 0)).toEqual([]);
    expect(texts(state, 1)).toEqual(["deploy done", "민수야 확인 부탁"]);
    expect(roomBar(state, 80, {})).toBe("[1:#team2] 2:#ops(2@) 3:#팀2(1)");
    expect(statusRow(state)).toContain("[1:#team2] 2:#ops(2@) 3:#팀2(1) · 민수 ·");
    expect(effects).toEqual([{ type: "bell" }]);
  });

  test("Alt-2 and Alt-←/→ switch; Alt-a goes to a mention before plain messages", () => {
    const [busy] = run(base(), into("팀2", [rec("lee", "점심?")]), into("ops", [rec("kim", "@민수 봐줘")]));
    const [hot] = run(busy, key("a", { alt: true }));
    expect(hot.current).toBe(1);
    expect(hot.rooms[1]?.activity.messages).toBe(0);
    const [next] = run(hot, key("a", { alt: true }));
    expect(next.current).toBe(2);
    const [none] = run(next, key("a", { alt: true }));
    expect(none.current).toBe(2);
    expect(statusRow(none)).toContain("no room with unread messages");
    expect(run(base(), key("3", { alt: true }))[0].current).toBe(2);
    expect(run(base(), key("left", { alt: true }))[0].current).toBe(2);
    expect(run(base(), key("right", { alt: true }))[0].current).toBe(1);
  });

  test("each room keeps its own input and history", () => {
    const [state] = run(base(), type("draft in team2"), key("2", { alt: true }), type("ops text"));
    expect(shown(state).editor.text).toBe("ops text");
    const [back] = run(state, key("1", { alt: true }));
    expect(shown(back).editor.text).toBe("draft in team2");
  });

  test("Enter sends in the shown room; exit leaves every room with the original's record", () => {
    const [sent, effects] = run(base(), key("2", { alt: true }), ...line("hello ops"));
    expect(sends(effects)).toEqual([["ops", "hello ops"]]);
    expect(texts(sent, 1)).toEqual(["hello ops"]);
    const [delivered] = run(sent, { type: "sent", id: sent.session.inFlight as number, now });
    const [left, leaving] = run(delivered, ...line("exit"));
    const goodbye = leaveRecord("민수", now).message;
    expect(sends(leaving)).toEqual([
      ["team2", goodbye],
      ["ops", goodbye],
      ["팀2", goodbye],
    ]);
    expect(isLeaving(left.session)).toBe(true);
  });

  test("/join adds and shows a room (join effect); joining it again only switches; /part leaves it", () => {
    const [joined, effects] = run(base(["team2"]), ...line("/join 회의실 A"));
    expect(effects).toEqual([{ type: "connect", room: "회의실 A" }]);
    expect(joined.rooms.map((r) => r.name)).toEqual(["team2", "회의실 A"]);
    expect(joined.current).toBe(1);
    const [again, none] = run(joined, key("1", { alt: true }), ...line("/join 회의실 A"));
    expect(none).toEqual([]);
    expect(again.current).toBe(1);
    const [up] = run(again, { type: "linked", room: "회의실 A", now });
    const [ready] = run(up, { type: "sent", id: up.session.inFlight as number, now });
    const [parted, partEffects] = run(ready, ...line("/part"));
    expect(sends(partEffects)).toEqual([["회의실 A", leaveRecord("민수", now).message]]);
    expect(parted.rooms.map((r) => r.name)).toEqual(["team2"]);
    expect(parted.current).toBe(0);
    const [, last] = run(parted, ...line("/leave"));
    expect(sends(last)).toEqual([["team2", leaveRecord("민수", now).message]]);
  });

  test("/part of the shown room shows the next one, its unread counts cleared as you now see it", () => {
    const [state, effects] = run(base(), into("ops", [rec("kim", "x")]), ...line("/part"));
    expect(sends(effects)).toEqual([["team2", leaveRecord("민수", now).message]]);
    expect(state.rooms.map((r) => r.name)).toEqual(["ops", "팀2"]);
    expect(shown(state).name).toBe("ops");
    expect(shown(state).activity.messages).toBe(0);
  });

  test("a bad room name for /join is said on the status line, nothing joined", () => {
    const [state, effects] = run(base(["team2"]), ...line("/join bad\u0007name"));
    expect(effects).toEqual([]);
    expect(state.rooms).toHaveLength(1);
    expect(statusRow(state)).toContain("room name contains control characters");
  });
});

describe("slash commands", () => {
  test("/help lists commands and keys locally; nothing is sent", () => {
    const [state, effects] = run(base(), ...line("/help"));
    expect(effects).toEqual([]);
    expect(texts(state).at(-1)).toBe(HELP);
    expect(entriesOf(shown(state).scrollback).at(-1)?.kind).toBe("notice");
  });

  test("an unknown /x is said on the status line until the next key; //text sends /text", () => {
    const [state, effects] = run(base(), ...line("/shrug"));
    expect(effects).toEqual([]);
    expect(statusRow(state)).toContain("unknown command /shrug — /help lists the commands");
    expect(statusRow(run(state, type("a"))[0])).not.toContain("unknown command");
    const [, literal] = run(base(), ...line("//shrug ¯\\_(ツ)_/¯"));
    expect(sends(literal)).toEqual([["team2", "/shrug ¯\\_(ツ)_/¯"]]);
  });

  test("a hostile unknown command or room name shows as visible text on the status line", () => {
    const [state] = run(base(), ...line("/\u001b]0;pwned\u0007"));
    const row = statusRow(state);
    expect(row).not.toContain("\u001b]");
    expect(row).toContain("␛]0;pwned␇");
    const evil = base(["team2", "\u202eevil"]);
    expect(roomBar(evil, 80, {})).toBe("[1:#team2] 2:#<U+202E>evil");
  });
});

describe("mentions", () => {
  test("highlighted, one bell per burst; a new burst after a quiet gap rings again", () => {
    const later = new Date(now.getTime() + BURST_QUIET_MS + 1);
    const [state, effects] = run(
      base(["team2"]),
      into("team2", [rec("kim", "@민수 1")]),
      into("team2", [rec("kim", "민수님 2"), rec("lee", "민수야 3")]),
      into("team2", [rec("kim", "민수 again")], later),
    );
    expect(effects).toEqual([{ type: "bell" }, { type: "bell" }]);
    expect(entriesOf(shown(state).scrollback).map((e) => e.mention)).toEqual([true, true, true, true]);
  });

  test("--no-bell rings nothing; --notify asks for a notification with room and sender", () => {
    expect(run(base(["team2"], { bell: false }), into("team2", [rec("kim", "@민수 hi")]))[1]).toEqual([]);
    expect(
      run(base(["team2"], { bell: false, notify: "osc9" }), into("team2", [rec("kim", "@민수 hi")]))[1],
    ).toEqual([{ type: "notify", title: "dchat #team2", body: "kim: @민수 hi" }]);
  });

  test("history does not ring; own messages and the bot never count", () => {
    const history: ChatEvent = {
      type: "records",
      room: "team2",
      records: [rec("kim", "@민수")],
      live: false,
      now,
    };
    expect(run(base(["team2"]), history)[1]).toEqual([]);
    expect(run(base(["team2"]), into("team2", [rec("민수", "@민수"), rec("[bot]", "민수님")]))[1]).toEqual(
      [],
    );
  });

  test("/mentions lists the recent ones across rooms with room and time", () => {
    const [state] = run(
      base(),
      into("ops", [rec("kim", "@민수 ops 확인")]),
      into("팀2", [rec("lee", "민수야 점심")]),
      ...line("/mentions"),
    );
    expect(texts(state).at(-1)).toBe(
      "your mentions:\n11:30 #ops kim: @민수 ops 확인\n11:30 #팀2 lee: 민수야 점심",
    );
  });
});

describe("completion", () => {
  const talk = into("team2", [rec("민지", "a"), rec("alex", "b"), rec("민호", "c"), rec("민수", "mine")]);

  test("Tab completes the most recently active name first, cycles on, adds `: ` at the start", () => {
    const [one] = run(base(["team2"]), talk, type("민"), key("tab"));
    expect(shown(one).editor.text).toBe("민호: ");
    const [two] = run(one, key("tab"));
    expect(shown(two).editor.text).toBe("민지: ");
    const [wrap] = run(two, key("tab"));
    expect(shown(wrap).editor.text).toBe("민호: ");
    const [mid] = run(base(["team2"]), talk, type("hi AL"), key("tab"));
    expect(shown(mid).editor.text).toBe("hi alex ");
    expect(shown(mid).editor.caret).toBe("hi alex ".length);
  });

  test("another key ends the cycle; no match rings the bell and changes nothing", () => {
    const [state] = run(base(["team2"]), talk, type("민"), key("tab"), type("x"), key("tab"));
    expect(shown(state).editor.text).toBe("민호: x");
    const [, effects] = run(base(["team2"]), talk, type("zz"), key("tab"));
    expect(effects).toEqual([{ type: "bell" }]);
  });
});

describe("search", () => {
  const filled = () =>
    run(
      base(["team2"]),
      into(
        "team2",
        Array.from({ length: 60 }, (_, i) =>
          rec("kim", i === 10 ? "회의는 3시 ＡＢＣ" : i === 40 ? "회의 취소" : `line ${i}`),
        ),
      ),
    )[0];

  test("Ctrl-R finds the newest match as you type, again for older ones; Esc returns to the newest", () => {
    const [found] = run(filled(), key("r", { ctrl: true }), type("회의"));
    const newest = entriesOf(shown(found).scrollback)[40]?.seq;
    expect(shown(found).search?.match).toBe(newest as number);
    expect(screen(found).join("\n")).toContain("회의 취소");
    const [older] = run(found, key("r", { ctrl: true }));
    expect(shown(older).search?.match).toBe(entriesOf(shown(found).scrollback)[10]?.seq as number);
    expect(screen(older).join("\n")).toContain("회의는 3시");
    const [back] = run(older, key("escape"));
    expect(shown(back).search).toBeNull();
    expect(shown(back).anchor).toBeNull();
  });

  test("another key ends typing the query: the match stays, text goes to the input again", () => {
    const [state] = run(filled(), key("r", { ctrl: true }), type("회의"), key("left"), type("x"));
    expect(shown(state).search?.query).toBe("회의");
    expect(shown(state).search?.editing).toBe(false);
    expect(shown(state).editor.text).toBe("x");
  });

  test("/search is case-insensitive and NFC; the match is highlighted in reverse video", () => {
    const [state] = run(filled(), ...line(`/search ${"회의는".normalize("NFD")}`));
    expect(shown(state).search?.match).toBe(entriesOf(shown(state).scrollback)[10]?.seq as number);
    const colored = { ...state, options: { ...state.options, color: true } };
    expect(view(colored).rows.join("\n")).toContain("\x1b[1;7m회의는\x1b[0m");
    const [missing] = run(filled(), ...line("/search nothing-like-this"));
    expect(statusRow(missing)).toContain("not found: nothing-like-this");
  });
});

describe("read marker", () => {
  test("a `new` rule above what arrived since you left the room; gone after you send there", () => {
    const [left] = run(
      base(),
      into("ops", [rec("kim", "seen")]),
      key("2", { alt: true }),
      key("1", { alt: true }),
    );
    const [back] = run(left, into("ops", [rec("kim", "unseen")]), key("2", { alt: true }));
    const rows = screen(back);
    const rule = rows.findIndex((r) => /─ new ─/.test(r));
    expect(rule).toBeGreaterThan(rows.findIndex((r) => r.includes("seen")));
    expect(rows[rule + 1]).toContain("kim: unseen");
    const [sent] = run(back, ...line("ok"));
    expect(screen(sent).some((r) => /─ new ─/.test(r))).toBe(false);
  });

  test("scrolling up leaves the marker where you were; new messages come below it", () => {
    const many = Array.from({ length: 40 }, (_, i) => rec("kim", `line ${i}`));
    const [state] = run(
      base(["team2"]),
      into("team2", many),
      key("pageup"),
      into("team2", [rec("kim", "fresh")]),
      key("end"),
    );
    const rows = screen(state);
    const rule = rows.findIndex((r) => /─ new ─/.test(r));
    expect(rows[rule + 1]).toContain("kim: fresh");
  });
});

describe("/who", () => {
  test("present: joined or spoke and not left, within the lease; a silent crash drops to 'not heard from'", () => {
    const t = (h: number, m: number) =>
      `2024-08-26T${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00.000001`;
    const list = [
      decode(encode(joinRecord("alex", new Date(2024, 7, 26, 9, 0))), 0),
      decode(encode(joinRecord("kim", new Date(2024, 7, 26, 11, 0))), 0),
      rec("lee", "hello", t(11, 20)),
      rec("park", "bye", t(11, 21)),
      rec("park", "\nUser [park] has exited the chatroom.", t(11, 22), true),
    ];
    const at = new Date(2024, 7, 26, 11, 30);
    expect(at.getTime() - new Date(2024, 7, 26, 9, 0).getTime()).toBeGreaterThan(PRESENCE_LEASE_MS);
    const [state] = run(
      base(["team2"]),
      into("team2", list),
      { type: "key", key: { type: "text", text: "/who" }, now: at },
      { type: "key", key: { type: "key", name: "enter", ctrl: false, alt: false, shift: false }, now: at },
    );
    expect(texts(state).at(-1)).toBe(
      "in #team2: lee (spoke 11:20), kim (joined 11:00)\nnot heard from for over an hour, never left: alex (joined 09:00)",
    );
  });
});
