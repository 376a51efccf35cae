/**
 * The input line: text with a caret, Emacs-style editing, a one-slot kill buffer and history.
 * Pure values: every operation returns a new Editor. The caret is a UTF-16 index that always
 * sits on a grapheme-cluster boundary, and text is kept NFC (before and after the caret
 * separately, so a conjoining jamo typed after a syllable composes with it).
 */
import { graphemes } from "../width.ts";

export interface Editor {
  text: string;
  caret: number;
  killed: string;
  history: string[];
  /** Position while browsing history (history.length = the draft being typed). */
  historyIndex: number;
  draft: string;
}

export const HISTORY_LIMIT = 500;

export function emptyEditor(): Editor {
  return { text: "", caret: 0, killed: "", history: [], historyIndex: 0, draft: "" };
}

function withText(editor: Editor, before: string, after: string): Editor {
  const head = before.normalize("NFC");
  return { ...editor, text: head + after.normalize("NFC"), caret: head.length };
}

export function insert(editor: Editor, text: string): Editor {
  const { before, after } = split(editor);
  return withText(editor, before + text, after);
}

function split(editor: Editor): { before: string; after: string } {
  return { before: editor.text.slice(0, editor.caret), after: editor.text.slice(editor.caret) };
}

function lastCluster(text: string): string {
  const all = graphemes(text);
  return all[all.length - 1] ?? "";
}

function firstCluster(text: string): string {
  return graphemes(text)[0] ?? "";
}

export function left(editor: Editor): Editor {
  return { ...editor, caret: editor.caret - lastCluster(split(editor).before).length };
}

export function right(editor: Editor): Editor {
  return { ...editor, caret: editor.caret + firstCluster(split(editor).after).length };
}

/** Home/End and Ctrl-A/E work on the current line of a multi-line input. */
export function home(editor: Editor): Editor {
  return { ...editor, caret: editor.text.lastIndexOf("\n", editor.caret - 1) + 1 };
}

export function end(editor: Editor): Editor {
  const next = editor.text.indexOf("\n", editor.caret);
  return { ...editor, caret: next < 0 ? editor.text.length : next };
}

export function backspace(editor: Editor): Editor {
  const { before, after } = split(editor);
  return withText(editor, before.slice(0, before.length - lastCluster(before).length), after);
}

export function del(editor: Editor): Editor {
  const { before, after } = split(editor);
  return withText(editor, before, after.slice(firstCluster(after).length));
}

const wordChar = /[\p{L}\p{N}\p{M}_]/u;

/** Start of the word before the caret (Alt-B, Ctrl-W): skip non-word, then word characters. */
function wordStart(text: string, caret: number): number {
  const all = graphemes(text.slice(0, caret));
  let i = all.length;
  while (i > 0 && !wordChar.test(all[i - 1] as string)) i--;
  while (i > 0 && wordChar.test(all[i - 1] as string)) i--;
  return all.slice(0, i).join("").length;
}

function wordEnd(text: string, caret: number): number {
  const all = graphemes(text.slice(caret));
  let i = 0;
  while (i < all.length && !wordChar.test(all[i] as string)) i++;
  while (i < all.length && wordChar.test(all[i] as string)) i++;
  return caret + all.slice(0, i).join("").length;
}

export function wordLeft(editor: Editor): Editor {
  return { ...editor, caret: wordStart(editor.text, editor.caret) };
}

export function wordRight(editor: Editor): Editor {
  return { ...editor, caret: wordEnd(editor.text, editor.caret) };
}

export function killWordBack(editor: Editor): Editor {
  const start = wordStart(editor.text, editor.caret);
  if (start === editor.caret) return editor;
  return {
    ...withText(editor, editor.text.slice(0, start), editor.text.slice(editor.caret)),
    killed: editor.text.slice(start, editor.caret),
  };
}

export function killToStart(editor: Editor): Editor {
  if (editor.caret === 0) return editor;
  const { before, after } = split(editor);
  return { ...withText(editor, "", after), killed: before };
}

export function killToEnd(editor: Editor): Editor {
  const { before, after } = split(editor);
  if (!after) return editor;
  return { ...withText(editor, before, ""), killed: after };
}

export function yank(editor: Editor): Editor {
  return editor.killed ? insert(editor, editor.killed) : editor;
}

export function historyUp(editor: Editor): Editor {
  if (editor.historyIndex === 0) return editor;
  const draft = editor.historyIndex === editor.history.length ? editor.text : editor.draft;
  const index = editor.historyIndex - 1;
  const text = editor.history[index] ?? "";
  return { ...editor, text, caret: text.length, historyIndex: index, draft };
}

export function historyDown(editor: Editor): Editor {
  if (editor.historyIndex >= editor.history.length) return editor;
  const index = editor.historyIndex + 1;
  const text = index === editor.history.length ? editor.draft : (editor.history[index] ?? "");
  return { ...editor, text, caret: text.length, historyIndex: index };
}

/** Empties the input after a send, remembering the text in history (without repeats). */
export function commit(editor: Editor): Editor {
  const text = editor.text;
  const history =
    text.trim() && editor.history[editor.history.length - 1] !== text
      ? [...editor.history, text].slice(-HISTORY_LIMIT)
      : editor.history;
  return { ...editor, text: "", caret: 0, history, historyIndex: history.length, draft: "" };
}
