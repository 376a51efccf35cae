/**
 * The several-rooms screen in a real terminal emulator (xterm.js headless): the room bar with
 * Hangul and hostile room names fits the status row, the caret stays at the input, the read
 * marker and search highlights are drawn where they belong.
 */
import { describe, expect, test } from "bun:test";
import type { ChatEvent } from "../../lib/chat/state.ts";
import type { KeyEvent } from "../../lib/term/keys.ts";
import { cellWidth } from "../../lib/width.ts";
import { type Decoded, decode, encode } from "../../lib/wire.ts";
import { ChatHarness } from "./harness.ts";

const now = new Date(2024, 7, 26, 11, 26, 0);
const rec = (sender: string, message: string): Decoded =>
  decode(encode({ sender, message, end: false, timestamp: "2024-08-26T11:30:00.000001" }), 0);
const into = (room: string, ...list: Decoded[]): ChatEvent => ({
  type: "records",
  room,
  records: list,
  live: true,
  now,
});
const type = (text: string): ChatEvent => ({ type: "key", key: { type: "text", text }, now });
const key = (name: string, mods: Partial<Record<"ctrl" | "alt" | "shift", boolean>> = {}): ChatEvent => ({
  type: "key",
  key: { type: "key", name, ctrl: false, alt: false, shift: false, ...mods } as KeyEvent,
  now,
});

describe("several rooms in a terminal emulator", () => {
  test("the room bar (Hangul, a bidi override in a name) fits the status row; the caret stays in the input", async () => {
    const h = new ChatHarness({ cols: 60, rows: 12 }, "민수", ["팀2 회의실", "ops", "\u202eevil"]);
    await h.apply(
      { type: "connection", room: "팀2 회의실", state: "connected", now },
      into("ops", rec("kim", "@민수 보세요")),
      into("\u202eevil", rec("x", "hi")),
      type("입력"),
    );
    const status = h.row(8);
    expect(status).toStartWith(" [1:#팀2 회의실] 2:#ops(1@) 3:#<U+202E>evil(1) · 민수 ·");
    expect(cellWidth(status)).toBeLessThanOrEqual(60);
    expect(h.row(9)).toBe("YOU: 입력");
    expect(h.term.cursor()).toEqual({ row: 9, col: 9 });
    expect(h.bytes).not.toContain("\u202e");
  });

  test("twenty rooms: quiet ones leave the bar first, the shown one and the busy ones stay", async () => {
    const rooms = Array.from({ length: 20 }, (_, i) => `room-${i + 1}`);
    const h = new ChatHarness({ cols: 70, rows: 12 }, "민수", rooms);
    await h.apply(into("room-17", rec("kim", "hi")), into("room-9", rec("kim", "민수야")));
    expect(h.row(8)).toStartWith(" [1:#room-1] 9:#room-9(1@) 17:#room-17(1) · 민수 ·");
  });

  test("switching draws the other room; the read marker sits above what arrived meanwhile", async () => {
    const h = new ChatHarness({ cols: 50, rows: 12 }, "민수", ["a", "b"]);
    await h.apply(into("b", rec("kim", "old")), key("2", { alt: true }));
    expect(h.row(0)).toBe("11:30 kim: old");
    await h.apply(key("1", { alt: true }), into("b", rec("kim", "new one")), key("2", { alt: true }));
    expect(h.row(0)).toBe("11:30 kim: old");
    expect(h.row(1)).toMatch(/^─+ new ─+$/);
    expect(h.row(2)).toBe("11:30 kim: new one");
  });

  test("Ctrl-R: the match in reverse video, the query on the status line", async () => {
    const h = new ChatHarness({ cols: 50, rows: 12 }, "민수", "team2");
    await h.apply(
      into("team2", rec("kim", "회의는 3시"), rec("kim", "later")),
      key("r", { ctrl: true }),
      type("회의"),
    );
    expect(h.row(8)).toContain("search: 회의");
    const line = h.term.term.buffer.active.getLine(h.term.term.buffer.active.baseY + 0);
    const cell = line?.getCell(11);
    expect(cell?.getChars()).toBe("회");
    expect(cell?.isInverse()).toBeTruthy();
    expect(line?.getCell(16)?.isInverse()).toBeFalsy();
  });
});
