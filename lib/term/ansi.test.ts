import { describe, expect, test } from "bun:test";
import { notification } from "./ansi.ts";

describe("notification", () => {
  test("OSC 9 and OSC 777 carry title and body; nothing in them can end the sequence early", () => {
    expect(notification("osc9", "dchat #team2", "kim: 안녕")).toBe("\x1b]9;dchat #team2: kim: 안녕\x07");
    expect(notification("osc777", "dchat #a;b", "kim: x;y")).toBe("\x1b]777;notify;dchat #a,b;kim: x;y\x07");
    const evil = notification("osc777", "dchat #r\x07", "kim: \x1b]52;c;cHduZWQ=\x07\x1b\\\u009d0;t\u009c");
    // Exactly one BEL (the terminator) and one ESC (the introducer); C1 controls made visible.
    expect(evil.match(/\x07/g)).toHaveLength(1);
    expect(evil.match(/\x1b/g)).toHaveLength(1);
    expect(evil).not.toMatch(/[\u0080-\u009f]/);
    expect(evil).toBe("\x1b]777;notify;dchat #r␇;kim: ␛]52;c;cHduZWQ=␇␛\\<U+009D>0;t<U+009C>\x07");
  });

  test("long text is cut (notifiers cut anyway; the terminal parses all of it)", () => {
    expect(notification("osc9", "t", "가".repeat(1000)).length).toBeLessThan(220);
  });
});
