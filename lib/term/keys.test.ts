import { describe, expect, test } from "bun:test";
import { KeyDecoder, type KeyEvent } from "./keys.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

function decodeAll(...chunks: (string | Uint8Array)[]): KeyEvent[] {
  const decoder = new KeyDecoder();
  const events = chunks.flatMap((chunk) => decoder.feed(typeof chunk === "string" ? bytes(chunk) : chunk));
  return [...events, ...decoder.flush()];
}

const k = (name: string, mods: { ctrl?: boolean; alt?: boolean; shift?: boolean } = {}): KeyEvent => ({
  type: "key",
  name,
  ctrl: mods.ctrl ?? false,
  alt: mods.alt ?? false,
  shift: mods.shift ?? false,
});

describe("KeyDecoder", () => {
  test("printable runs become one text event; Enter, Backspace, Tab", () => {
    expect(decodeAll("안녕 hi\r\x7f\t")).toEqual([
      { type: "text", text: "안녕 hi" },
      k("enter"),
      k("backspace"),
      k("tab"),
    ]);
  });

  test("a UTF-8 character split across reads is decoded once complete", () => {
    const han = bytes("한");
    expect(decodeAll(han.slice(0, 1), han.slice(1, 2), han.slice(2))).toEqual([{ type: "text", text: "한" }]);
  });

  test("an escape sequence split across reads", () => {
    expect(decodeAll("\x1b", "[", "1;5", "C")).toEqual([k("right", { ctrl: true })]);
    expect(decodeAll("\x1b[5", "~")).toEqual([k("pageup")]);
  });

  test("cursor keys in normal and application mode, Home/End variants, Delete", () => {
    expect(decodeAll("\x1b[A\x1bOB\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[3~\x1b[6~")).toEqual([
      k("up"),
      k("down"),
      k("home"),
      k("end"),
      k("home"),
      k("end"),
      k("delete"),
      k("pagedown"),
    ]);
  });

  test("Ctrl letters and Alt letters", () => {
    expect(decodeAll("\x01\x05\x15\x0b\x17\x0c\x03\x04\x1ab\x1bf")).toEqual([
      k("a", { ctrl: true }),
      k("e", { ctrl: true }),
      k("u", { ctrl: true }),
      k("k", { ctrl: true }),
      k("w", { ctrl: true }),
      k("l", { ctrl: true }),
      k("c", { ctrl: true }),
      k("d", { ctrl: true }),
      k("z", { ctrl: true }),
      { type: "text", text: "b" },
      k("f", { alt: true }),
    ]);
  });

  test("Alt-Enter and Alt-Backspace", () => {
    expect(decodeAll("\x1b\r\x1b\x7f")).toEqual([k("enter", { alt: true }), k("backspace", { alt: true })]);
  });

  test("a lone ESC waits for more input, and is the Escape key on flush", () => {
    const decoder = new KeyDecoder();
    expect(decoder.feed(bytes("\x1b"))).toEqual([]);
    expect(decoder.hasPending()).toBe(true);
    expect(decoder.flush()).toEqual([k("escape")]);
    expect(decoder.hasPending()).toBe(false);
  });

  test("bracketed paste across reads keeps newlines, never produces Enter", () => {
    const events = decodeAll("x\x1b[20", "0~line one\r\nline", " two\x1b[2", "01~y");
    expect(events).toEqual([
      { type: "text", text: "x" },
      { type: "paste", text: "line one\nline two" },
      { type: "text", text: "y" },
    ]);
  });

  test("escape sequences and controls inside a paste are stripped", () => {
    expect(decodeAll("\x1b[200~a\x1b[31mb\x1b]x\x07c\x1b[201~")).toEqual([{ type: "paste", text: "ab]xc" }]);
  });

  test("unknown sequences (mouse, focus, kitty) are dropped without eating the next key", () => {
    expect(decodeAll("\x1b[<0;3;4M\x1b[I\x1b[27;5;13~a")).toEqual([{ type: "text", text: "a" }]);
  });

  test("the mouse wheel in SGR encoding, with modifiers; clicks and drags are dropped", () => {
    expect(
      decodeAll("\x1b[<64;10;5M\x1b[<65;10;5M\x1b[<80;1;1M\x1b[<0;3;4M\x1b[<0;3;4m\x1b[<32;5;5Mz"),
    ).toEqual([k("wheelup"), k("wheeldown"), k("wheelup", { ctrl: true }), { type: "text", text: "z" }]);
  });

  test("X10 mouse reports (a terminal without SGR mode) never leak their bytes into the text", () => {
    expect(decodeAll("\x1b[M`!!a", "\x1b[M", "a!!b")).toEqual([
      { type: "text", text: "a" },
      { type: "text", text: "b" },
    ]);
  });

  test("C1 controls and invalid UTF-8 never reach the input as controls", () => {
    const events = decodeAll(new Uint8Array([0xc2, 0x9b, 0x41, 0xff]));
    expect(events).toEqual([{ type: "text", text: "A\ufffd" }]);
  });

  test("every split point of a mixed stream gives the same events", () => {
    const stream = bytes("안\x1b[D녕\x1b[200~붙여\n넣기\x1b[201~\x1bb\x1b[<65;2;3M\x1b[M`!!\r");
    const whole = decodeAll(stream);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(decodeAll(stream.slice(0, cut), stream.slice(cut))).toEqual(whole);
    }
  });
});
