/**
 * Render tests: the bytes the screen writer produces, fed into a real terminal emulator
 * (xterm.js headless); assertions are on the rows it shows and on its cursor.
 */
import { describe, expect, test } from "bun:test";
import { type ChatEvent, shown } from "../../lib/chat/state.ts";
import { view } from "../../lib/chat/view.ts";
import type { KeyEvent } from "../../lib/term/keys.ts";
import { diff } from "../../lib/term/screen.ts";
import { type Decoded, decode, encode } from "../../lib/wire.ts";
import { HeadlessTerminal } from "../term/headless.ts";
import { ChatHarness } from "./harness.ts";

const now = new Date(2024, 7, 26, 11, 26, 0);
const stamp = "2024-08-26T11:30:00.000001";
const rec = (sender: string, message: string): Decoded =>
  decode(encode({ sender, message, end: false, timestamp: stamp }), 0);
const records = (...list: Decoded[]): ChatEvent => ({ type: "records", records: list, live: true });
const type = (text: string): ChatEvent => ({ type: "key", key: { type: "text", text }, now });
const key = (name: string, mods: Partial<Record<"ctrl" | "alt" | "shift", boolean>> = {}): ChatEvent => ({
  type: "key",
  key: { type: "key", name, ctrl: false, alt: false, shift: false, ...mods } as KeyEvent,
  now,
});

/** What a terminal shows when the harness's current state is drawn from scratch. */
async function freshRows(h: ChatHarness): Promise<string[]> {
  const t = new HeadlessTerminal(h.state.size.cols, h.state.size.rows);
  await t.write(diff(null, view(h.state)));
  return t.rows();
}

describe("chat screen in a terminal emulator", () => {
  test("layout: messages on top, status line, `YOU: ` prompt with the cursor after it", async () => {
    const h = new ChatHarness({ cols: 40, rows: 12 });
    await h.apply({ type: "connection", state: "connected", now }, records(rec("user2", "hi")));
    expect(h.row(0)).toBe("11:30 user2: hi");
    expect(h.row(8)).toContain("#team2 · me · ● connected");
    expect(h.row(9)).toBe("YOU: ");
    expect(h.term.cursor()).toEqual({ row: 9, col: 5 });
  });

  test("Hangul input: each syllable 2 cells, caret in the right column, kept when messages arrive", async () => {
    const h = new ChatHarness({ cols: 40, rows: 12 });
    await h.apply(type("안녕하세요"));
    expect(h.row(9)).toBe("YOU: 안녕하세요");
    expect(h.term.cursor()).toEqual({ row: 9, col: 15 });
    await h.apply(key("left"), key("left"));
    expect(h.term.cursor()).toEqual({ row: 9, col: 11 });
    await h.apply(records(rec("user2", "반가워요 hello")));
    expect(h.row(0)).toBe("11:30 user2: 반가워요 hello");
    expect(h.row(9)).toBe("YOU: 안녕하세요");
    expect(h.term.cursor()).toEqual({ row: 9, col: 11 });
    await h.apply(type("!"));
    expect(h.row(9)).toBe("YOU: 안녕하!세요");
    expect(h.term.cursor()).toEqual({ row: 9, col: 12 });
  });

  test("a flood while typing: every key lands, the input row and cursor stay, the pane scrolls", async () => {
    const h = new ChatHarness({ cols: 50, rows: 14 });
    const typed = "가나다라마바사아자차";
    let n = 0;
    for (const char of typed) {
      const batch = Array.from({ length: 37 }, () => rec(`user${n % 7}`, `flood ${n++} 메시지`));
      await h.apply(records(...batch), type(char));
    }
    expect(h.row(11)).toBe(`YOU: ${typed}`);
    expect(h.term.cursor()).toEqual({ row: 11, col: 5 + 2 * typed.length });
    expect(h.row(9)).toContain(`flood ${n - 1} 메시지`);
    expect(h.term.rows()).toEqual(await freshRows(h));
  });

  test("scrolling the pane one message at a time (DECSTBM path) matches a full redraw", async () => {
    const h = new ChatHarness({ cols: 30, rows: 10 });
    for (let i = 0; i < 30; i++) {
      await h.apply(records(rec(i % 2 ? "앨리스" : "bob", `message number ${i} 그리고 조금 더 긴 텍스트`)));
      expect(h.term.rows()).toEqual(await freshRows(h));
    }
    expect(h.bytes).toMatch(/\x1b\[\dS/);
  });

  test("long messages wrap by display width with a hanging indent after the name", async () => {
    const h = new ChatHarness({ cols: 24, rows: 12 });
    await h.apply(records(rec("bob", "가나다라마바사아자차카타파하")));
    expect(h.row(0)).toBe("11:30 bob: 가나다라마바");
    expect(h.row(1)).toBe("           사아자차카타");
    expect(h.row(2)).toBe("           파하");
  });

  test("input longer than a row wraps inside the 3-line pane and then scrolls; caret follows", async () => {
    const h = new ChatHarness({ cols: 20, rows: 10 });
    await h.apply(type("한".repeat(7)));
    expect(h.row(7)).toBe(`YOU: ${"한".repeat(7)}`);
    expect(h.term.cursor()).toEqual({ row: 7, col: 19 });
    await h.apply(type("글"));
    expect(h.row(8)).toBe("     글");
    expect(h.term.cursor()).toEqual({ row: 8, col: 7 });
    await h.apply(type("x".repeat(40)));
    expect(h.term.cursor().row).toBe(9);
    expect(h.row(7)).toContain("↑");
    await h.apply(key("home"));
    expect(h.row(7)).toStartWith("YOU: 한");
    expect(h.term.cursor()).toEqual({ row: 7, col: 5 });
  });

  test("resize re-lays out from state: nothing typed or received is lost", async () => {
    const h = new ChatHarness({ cols: 40, rows: 12 });
    await h.apply(records(rec("bob", "one two three four five six seven eight nine")), type("입력 중"));
    await h.apply({ type: "resize", size: { cols: 20, rows: 8 } });
    expect(h.row(0)).toBe("11:30 bob: one two");
    expect(h.row(5)).toBe("YOU: 입력 중");
    expect(h.term.cursor()).toEqual({ row: 5, col: 12 });
    await h.apply({ type: "resize", size: { cols: 70, rows: 16 } });
    expect(h.row(0)).toBe("11:30 bob: one two three four five six seven eight nine");
    expect(h.row(13)).toBe("YOU: 입력 중");
    expect(h.term.cursor()).toEqual({ row: 13, col: 12 });
  });

  test("scrollback: PageUp shows older lines, new ones do not yank the view, the hint counts them", async () => {
    const h = new ChatHarness({ cols: 40, rows: 12 });
    await h.apply(records(...Array.from({ length: 40 }, (_, i) => rec("bob", `old ${i}`))));
    expect(h.row(7)).toBe("11:30 bob: old 39");
    await h.apply(key("pageup"));
    expect(h.row(7)).toBe("11:30 bob: old 32");
    await h.apply(records(rec("bob", "new a"), rec("bob", "new b")));
    expect(h.row(7)).toBe("11:30 bob: old 32");
    expect(h.row(8)).toContain("2 new ↓ End");
    expect(h.term.cursor()).toEqual({ row: 9, col: 5 });
    await h.apply(key("end"));
    expect(h.row(7)).toBe("11:30 bob: new b");
    expect(h.row(8)).not.toContain("new ↓");
  });

  test("the mouse wheel scrolls three rows a notch, and back down to following", async () => {
    const h = new ChatHarness({ cols: 40, rows: 12 });
    await h.apply(records(...Array.from({ length: 40 }, (_, i) => rec("bob", `old ${i}`))));
    await h.apply(key("wheelup"));
    expect(h.row(7)).toBe("11:30 bob: old 36");
    await h.apply(key("wheelup"), key("wheeldown"));
    expect(h.row(7)).toBe("11:30 bob: old 36");
    await h.apply(key("wheeldown"));
    expect(h.row(7)).toBe("11:30 bob: old 39");
    expect(shown(h.state).anchor).toBeNull();
  });

  test("hostile messages: screen unchanged apart from a harmless visible line", async () => {
    const h = new ChatHarness({ cols: 80, rows: 12 });
    await h.apply(records(rec("bob", "before")), type("draft"));
    const attacks = [
      "\x1b[2J\x1b[Hcleared?",
      "\x1b]0;pwned title\x07",
      "\x1b]52;c;cm0gLXJmIH4=\x07",
      "fake\ralice: I owe you money",
      "\x1b[?1000h\x1b[?25l\x1b[?2004l",
      "\u009b2J\u202eevil",
    ];
    await h.apply(records(...attacks.map((a) => rec("mallory\x1b[31m", a))));
    expect(h.row(0)).toBe("11:30 bob: before");
    expect(h.row(1)).toBe("11:30 mallory␛[31m: ␛[2J␛[Hcleared?");
    expect(h.row(2)).toBe("11:30 mallory␛[31m: ␛]0;pwned title␇");
    expect(h.row(3)).toBe("11:30 mallory␛[31m: ␛]52;c;cm0gLXJmIH4=␇");
    expect(h.row(4)).toBe("11:30 mallory␛[31m: fake");
    expect(h.row(5)).toBe("                    alice: I owe you money");
    expect(h.row(6)).toBe("11:30 mallory␛[31m: ␛[?1000h␛[?25l␛[?2004l");
    expect(h.row(7)).toBe("11:30 mallory␛[31m: <U+009B>2J<U+202E>evil");
    expect(h.term.title).toBe("");
    expect(h.term.modes()).toEqual({ bracketedPaste: false, mouse: "none", cursorHidden: false });
    expect(h.row(9)).toBe("YOU: draft");
    expect(h.term.cursor()).toEqual({ row: 9, col: 10 });
  });

  test("a malformed record shows as one marked line", async () => {
    const h = new ChatHarness({ cols: 80, rows: 10 });
    await h.apply(records(decode(new Uint8Array([0x7b, 0xff, 0x1b]), 0)));
    expect(h.row(0)).toMatch(/^\d\d:\d\d ⚠ malformed record: invalid-utf8: record is not valid UTF-8$/);
  });

  test("leave records show the original's two lines", async () => {
    const h = new ChatHarness({ cols: 60, rows: 10 });
    await h.apply(
      records(
        decode(
          encode({
            sender: "bob",
            message: "\nUser [bob] has exited the chatroom.",
            end: true,
            timestamp: stamp,
          }),
          0,
        ),
      ),
    );
    expect(h.row(0)).toBe("11:30 User [bob] has exited the chatroom.");
    expect(h.row(1)).toBe("      Type in 'exit' to also finish the chat.");
  });

  test("tiny terminals degrade without overflowing a row", async () => {
    for (const size of [
      { cols: 8, rows: 2 },
      { cols: 12, rows: 4 },
      { cols: 3, rows: 7 },
      { cols: 2, rows: 6 },
    ]) {
      const h = new ChatHarness(size);
      await h.apply(records(rec("사용자이름", "가나다라마바사")), type("한글입력"));
      for (const row of view(h.state).rows) expect(Bun.stringWidth(row)).toBeLessThanOrEqual(size.cols);
      expect(h.term.rows()).toEqual(await freshRows(h));
    }
  });

  test("NO_COLOR: no colour codes at all, attributes only", async () => {
    const h = new ChatHarness({ cols: 40, rows: 10 }, "me", "team2", {
      color: false,
      ambiguousWide: false,
      mouse: false,
    });
    await h.apply(records(rec("bob", "hi"), rec("[bot]", "answer")), type("x"), key("enter"));
    expect(h.bytes).not.toMatch(/\x1b\[[0-9;]*38;5;/);
    expect(h.row(0)).toBe("11:30 bob: hi");
  });

  test("--ambiguous-wide counts ※ as 2 cells, so the caret matches such a terminal", async () => {
    const h = new ChatHarness({ cols: 40, rows: 10 }, "me", "team2", {
      color: true,
      ambiguousWide: true,
      mouse: false,
    });
    await h.apply(type("※※"));
    expect(h.term.cursor()).toEqual({ row: 7, col: 9 });
    const narrow = new ChatHarness({ cols: 40, rows: 10 });
    await narrow.apply(type("※※"));
    expect(narrow.term.cursor()).toEqual({ row: 7, col: 7 });
  });

  test("resize while scrolled up keeps the same message at the bottom of the view", async () => {
    const h = new ChatHarness({ cols: 40, rows: 12 });
    await h.apply(
      records(...Array.from({ length: 40 }, (_, i) => rec("bob", `old ${i} 조금 긴 메시지 텍스트`))),
      key("pageup"),
    );
    const bottom = h.row(7);
    expect(bottom).toContain("old 32");
    await h.apply({ type: "resize", size: { cols: 60, rows: 12 } });
    expect(h.row(7)).toContain("old 32");
  });

  test("a day-changed row separates messages of different days", async () => {
    const h = new ChatHarness({ cols: 30, rows: 10 });
    const at = (timestamp: string, message: string) =>
      decode(encode({ sender: "bob", message, end: false, timestamp }), 0);
    await h.apply(records(at("2024-08-26T23:59:00", "late"), at("2024-08-27T00:01:00", "early")));
    expect(h.row(0)).toBe("23:59 bob: late");
    expect(h.row(1)).toBe("───────── 2024-08-27 ─────────");
    expect(h.row(2)).toBe("00:01 bob: early");
  });
});
