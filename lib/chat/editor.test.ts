import { describe, expect, test } from "bun:test";
import * as ed from "./editor.ts";

function typed(text: string, caret = text.length): ed.Editor {
  return { ...ed.emptyEditor(), text, caret };
}

describe("editor", () => {
  test("insert at the caret and move by whole grapheme clusters", () => {
    let e = ed.insert(ed.emptyEditor(), "안녕👍🏽");
    expect(e.caret).toBe(e.text.length);
    e = ed.left(e);
    expect(e.text.slice(e.caret)).toBe("👍🏽");
    e = ed.left(e);
    e = ed.insert(e, "하");
    expect(e.text).toBe("안하녕👍🏽");
  });

  test("a conjoining vowel typed after an initial consonant composes (NFC)", () => {
    const e = ed.insert(ed.insert(ed.emptyEditor(), "\u1100"), "\u1161");
    expect(e.text).toBe("가");
    expect(e.caret).toBe(1);
  });

  test("backspace and delete remove one cluster", () => {
    expect(ed.backspace(typed("ab👨‍👩‍👧")).text).toBe("ab");
    expect(ed.del(typed("한글", 0)).text).toBe("글");
    expect(ed.backspace(typed("x", 0)).text).toBe("x");
  });

  test("Home/End work on the caret's line", () => {
    const e = typed("one\ntwo", 6);
    expect(ed.home(e).caret).toBe(4);
    expect(ed.end(ed.home(typed("one\ntwo", 1))).caret).toBe(3);
  });

  test("word motion and Ctrl-W treat Hangul as word characters", () => {
    const e = typed("hello 안녕 세계");
    expect(ed.wordLeft(e).caret).toBe("hello 안녕 ".length);
    expect(ed.wordRight(typed("hello 안녕 세계", 0)).caret).toBe(5);
    const killed = ed.killWordBack(e);
    expect(killed.text).toBe("hello 안녕 ");
    expect(killed.killed).toBe("세계");
    expect(ed.yank(killed).text).toBe("hello 안녕 세계");
  });

  test("Ctrl-U and Ctrl-K kill to either end", () => {
    expect(ed.killToStart(typed("abc def", 4)).text).toBe("def");
    expect(ed.killToEnd(typed("abc def", 4)).text).toBe("abc ");
    expect(ed.killToEnd(typed("abc def", 4)).killed).toBe("def");
  });

  test("history: Up recalls, Down returns to the draft", () => {
    let e = ed.commit(typed("first"));
    e = ed.commit(ed.insert(e, "second"));
    e = ed.insert(e, "draft");
    e = ed.historyUp(e);
    expect(e.text).toBe("second");
    e = ed.historyUp(ed.historyUp(e));
    expect(e.text).toBe("first");
    e = ed.historyDown(ed.historyDown(e));
    expect(e.text).toBe("draft");
  });

  test("commit skips empty and repeated lines in history", () => {
    let e = ed.commit(typed("same"));
    e = ed.commit(ed.insert(e, "same"));
    e = ed.commit(ed.insert(e, "   "));
    expect(e.history).toEqual(["same"]);
  });
});
