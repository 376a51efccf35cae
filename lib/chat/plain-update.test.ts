import { expect, test } from "bun:test";
import { decode, encode, LEAVE_HINT, textRecord } from "../wire.ts";
import {
  initialPlain,
  type PlainEffect,
  type PlainEvent,
  type PlainState,
  plainLines,
  plainUpdate,
} from "./plain-update.ts";

const now = new Date(2024, 7, 26, 11, 26, 28);

function feed(state: PlainState, ...events: PlainEvent[]): [PlainState, PlainEffect[]] {
  const out: PlainEffect[] = [];
  for (const event of events) {
    const [next, effects] = plainUpdate(state, event);
    state = next;
    out.push(...effects);
  }
  return [state, out];
}

const sends = (effects: PlainEffect[]) =>
  effects.flatMap((e) => (e.type === "send" ? [[e.room, e.record.message]] : []));
const printed = (effects: PlainEffect[], type: "out" | "err") =>
  effects.flatMap((e) => (e.type === type ? e.lines : []));
const line = (text: string): PlainEvent => ({ type: "line", text, now });
const record = (sender: string, message: string) =>
  decode(encode(textRecord(sender, message, new Date(2024, 7, 26, 11, 20))), 0);

/** Sends acknowledged as they go out, until nothing more is sent. */
function acknowledge(state: PlainState, effects: PlainEffect[]): [PlainState, PlainEffect[]] {
  const all = [...effects];
  let pending = effects.filter((e) => e.type === "send");
  while (pending.length > 0) {
    const [next, more] = feed(
      state,
      ...pending.map((e) => ({ type: "sent", id: (e as { id: number }).id, now }) as PlainEvent),
    );
    state = next;
    all.push(...more);
    pending = more.filter((e) => e.type === "send");
  }
  return [state, all];
}

/** Line mode in room team2, joined, its history read and the join record acknowledged. */
function joinedTeam2(): [PlainState, PlainEffect[]] {
  return acknowledge(
    ...feed(
      initialPlain(["team2"], "me"),
      { type: "start" },
      { type: "linked", room: "team2", now },
      { type: "history-loaded", room: "team2", now },
    ),
  );
}

test("input waits for the room's history; the join record goes after it, then the lines, in order", () => {
  let [state, effects] = feed(
    initialPlain(["team2"], "me"),
    { type: "start" },
    line("first"),
    line("second"),
  );
  expect(effects).toEqual([{ type: "connect", room: "team2" }]);
  [state, effects] = feed(
    state,
    { type: "linked", room: "team2", now },
    { type: "records", room: "team2", records: [record("you", "old")], live: false, now },
  );
  expect(sends(effects)).toEqual([]);
  expect(printed(effects, "out")).toEqual(["11:20 you: old"]);
  [state, effects] = acknowledge(...feed(state, { type: "history-loaded", room: "team2", now }));
  expect(sends(effects)).toEqual([
    ["team2", "User [me] has entered the chat!\n"],
    ["team2", "first"],
    ["team2", "second"],
  ]);
});

test("after /join, lines go to the new room once it is up; every line is labelled with its room", () => {
  let [state, effects] = joinedTeam2();
  [state, effects] = feed(state, line("/join ops"), line("hello ops"));
  expect(effects).toEqual([{ type: "connect", room: "ops" }]);
  [state, effects] = acknowledge(
    ...feed(state, { type: "linked", room: "ops", now }, { type: "history-loaded", room: "ops", now }),
  );
  expect(sends(effects)).toEqual([
    ["ops", "User [me] has entered the chat!\n"],
    ["ops", "hello ops"],
  ]);
  [state, effects] = feed(state, {
    type: "records",
    room: "team2",
    records: [record("you", "hi")],
    live: true,
    now,
  });
  expect(printed(effects, "out")).toEqual(["#team2 11:20 you: hi"]);
  [, effects] = feed(state, line("/part team2"), line("/join ops"));
  expect(printed(effects, "err")).toEqual([
    "/part: #team2 is the room line mode started in: exit (or the end of input) leaves it",
    "/join: already in #ops",
  ]);
});

test("a failed send is said once until one succeeds; the connection's loss and return are said", () => {
  let [state, effects] = joinedTeam2();
  [state, effects] = feed(state, line("one"), {
    type: "connection",
    room: "team2",
    state: "reconnecting",
    reason: "down",
    now,
  });
  const [one] = effects.filter((e) => e.type === "send") as { id: number }[];
  [state, effects] = feed(
    state,
    { type: "send-failed", id: one?.id as number, reason: "down", now },
    { type: "timer", name: "retry", now },
    { type: "send-failed", id: one?.id as number, reason: "down", now },
    { type: "connection", room: "team2", state: "connected", now },
  );
  expect(printed(effects, "err")).toEqual([
    'not sent yet, retrying: "one" (down)',
    "connected to Kafka again",
  ]);
  expect(sends(effects)).toEqual([
    ["team2", "one"],
    ["team2", "one"],
  ]);
  [, effects] = feed(state, { type: "sent", id: one?.id as number, now });
  expect(effects).toEqual([]);
});

test("exit leaves; what is typed after it is not sent", () => {
  const [state] = joinedTeam2();
  const [left, effects] = feed(state, line("exit"), line("too late"));
  expect(sends(effects)).toEqual([["team2", "\nUser [me] has exited the chatroom."]]);
  expect(left.session.outbox).toEqual([]);
});

const stored = (sender: string, message: string, end = false) =>
  decode(encode({ sender, message, end, timestamp: "2024-08-26T11:26:28.670735" }), 0);

test("one line per record, controls made visible, leave with the original's hint", () => {
  expect(plainLines(stored("user2", "hi"))).toEqual(["11:26 user2: hi"]);
  expect(plainLines(stored("[INFO]", "User [a] has entered the chat!\n"))).toEqual([
    "11:26 [INFO]: User [a] has entered the chat!",
  ]);
  expect(plainLines(stored("a\x1b[31m", "two\nlines\x1b]52;c;eA==\x07"))).toEqual([
    "11:26 a␛[31m: two␊lines␛]52;c;eA==␇",
  ]);
  expect(plainLines(stored("a", "\nUser [a] has exited the chatroom.", true))).toEqual([
    "11:26 User [a] has exited the chatroom.",
    LEAVE_HINT,
  ]);
});

test("a malformed record is one marked line", () => {
  const [line] = plainLines(decode(new TextEncoder().encode("[1,2]"), new Date(2024, 0, 1, 9, 5).getTime()));
  expect(line).toBe("09:05 ⚠ malformed record: not-object: record is an array, expected a JSON object");
});
