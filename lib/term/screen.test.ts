import { describe, expect, test } from "bun:test";
import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { restoreAll } from "./ansi.ts";
import type { Frame } from "./frame.ts";
import { BACKGROUND_MS, diff, FRAME_MS, frameWait, Screen } from "./screen.ts";

class FakeOut extends EventEmitter {
  written = "";
  write(text: string): boolean {
    this.written += text;
    return true;
  }
}

function fakeTerminal() {
  const raw: boolean[] = [];
  const stdin = { setRawMode: (on: boolean) => raw.push(on) } as unknown as NodeJS.ReadStream;
  const out = new FakeOut();
  return { raw, out, term: { stdin, stdout: out as unknown as NodeJS.WriteStream } };
}

const frame = (rows: string[], cursor = { row: 0, col: 0 }): Frame => ({
  rows,
  cols: 20,
  region: { top: 0, bottom: rows.length - 3 },
  cursor,
});

describe("Screen", () => {
  test("start turns on raw mode, the alternate screen and bracketed paste; stop undoes all of it", () => {
    const { raw, out, term } = fakeTerminal();
    const screen = new Screen(term);
    screen.start();
    expect(raw).toEqual([true]);
    expect(out.written).toContain("\x1b[?1049h");
    expect(out.written).toContain("\x1b[?2004h");
    screen.stop();
    expect(raw).toEqual([true, false]);
    expect(out.written).not.toContain("\x1b[?1000h");
    expect(out.written.endsWith("\x1b[r\x1b[?2004l\x1b[?1006l\x1b[?1000l\x1b[?25h\x1b[0m\x1b[?1049l")).toBe(
      true,
    );
    screen.stop();
    expect(raw).toEqual([true, false]);
  });

  test("with the mouse asked for, wheel reporting is on while the screen is, and off after", () => {
    const { out, term } = fakeTerminal();
    const screen = new Screen(term, undefined, true);
    screen.start();
    expect(out.written).toContain("\x1b[?1000h\x1b[?1006h");
    screen.stop();
    expect(out.written).toContain("\x1b[?1006l\x1b[?1000l");
  });

  test("many requests before the next frame cost one frame, drawn from the latest state", async () => {
    const { out, term } = fakeTerminal();
    const screen = new Screen(term);
    screen.start();
    let version = 0;
    for (let i = 0; i < 100; i++) {
      version = i;
      screen.request(() => frame([`v${version}`, "", "", ""]));
    }
    await Bun.sleep(40);
    expect(screen.frames).toBe(1);
    expect(out.written).toContain("v99");
    expect(out.written).not.toContain("v98");
    screen.stop();
  });

  test("after a crash the process exit hook restores the terminal (in a child process)", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "dchat-screen-")), "terminal");
    writeFileSync(out, "");
    const child = Bun.spawn(
      [process.execPath, join(import.meta.dir, "../../test/term/crash-screen.ts"), out],
      {
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    expect(stderr).toContain("crash on purpose");
    expect(code).not.toBe(0);
    const written = readFileSync(out, "utf8");
    const [before, after] = written.split("<started>");
    expect(before).toStartWith("<raw true>");
    expect(before).toContain("\x1b[?1049h");
    expect(after).toBe(`${restoreAll}<raw false>`);
  });
});

describe("diff", () => {
  test("an unchanged frame writes no rows; a changed row is erased then written", () => {
    const a = frame(["one", "two", "", "in"], { row: 3, col: 2 });
    expect(diff(a, a)).not.toContain("\x1b[2K");
    const b = frame(["one", "TWO", "", "in"], { row: 3, col: 2 });
    const out = diff(a, b);
    expect(out).toContain("\x1b[2;1H\x1b[2KTWO");
    expect(out).not.toContain("one");
    expect(out).toEndWith("\x1b[4;3H\x1b[?25h\x1b[?2026l");
  });

  test("a pane moved up by k rows becomes one scroll of the region plus k rows", () => {
    const a: Frame = {
      rows: ["a", "b", "c", "d", "s", "in"],
      cols: 20,
      region: { top: 0, bottom: 3 },
      cursor: { row: 5, col: 0 },
    };
    const b: Frame = { ...a, rows: ["c", "d", "e", "f", "s", "in"] };
    const out = diff(a, b);
    expect(out).toContain("\x1b[2S");
    expect(out).toContain("e");
    expect(out).not.toMatch(/\x1b\[1;1H/);
  });

  test("a new size or region redraws everything and sets the region again", () => {
    const a = frame(["x", "", "", ""]);
    const out = diff(a, { ...a, cols: 30 });
    expect(out).toContain("\x1b[2J");
    expect(out).toContain("\x1b[1;2r");
  });
});

describe("frameWait", () => {
  test("keys at once, changes one frame apart, a room not shown ten times a second", () => {
    expect(frameWait("urgent", 0)).toBe(0);
    expect(frameWait("frame", 0)).toBe(FRAME_MS);
    expect(frameWait("frame", FRAME_MS + 5)).toBe(0);
    expect(frameWait("background", 0)).toBe(BACKGROUND_MS);
    expect(frameWait("background", 40)).toBe(BACKGROUND_MS - 40);
    expect(frameWait("background", BACKGROUND_MS)).toBe(0);
  });

  test("a background change is drawn, no sooner than BACKGROUND_MS after the frame before it", async () => {
    const { term } = fakeTerminal();
    const screen = new Screen(term);
    screen.start();
    // Each source is called as its frame is drawn, just before the screen notes the time.
    let first = 0;
    let second = 0;
    screen.request(() => {
      first = performance.now();
      return frame(["first", "", "", ""]);
    }, "urgent");
    while (screen.frames < 1) await Bun.sleep(1);
    screen.request(() => {
      second = performance.now();
      return frame(["second", "", "", ""]);
    }, "background");
    while (screen.frames < 2) await Bun.sleep(1);
    // Timers never fire early (1 ms of slack for the clock's rounding).
    expect(second - first).toBeGreaterThanOrEqual(BACKGROUND_MS - 1);
    screen.stop();
  });
});
