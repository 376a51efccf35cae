/**
 * Tab completion of names (catgirl's way): the word before the caret is completed with the
 * people seen in the room, most recently active first; each further Tab offers the next one.
 * At the start of the line the name gets `: ` after it (the IRC convention for addressing
 * someone), elsewhere a space. Prefixes match NFC and case-insensitively, so a Hangul syllable
 * typed with an IME completes the names that start with it.
 */
import type { Editor } from "./editor.ts";
import type { Completion } from "./state.ts";

const WORD_BEFORE = /[^\s@]*$/u;

function fold(text: string): string {
  return text.normalize("NFC").toLowerCase();
}

function applied(completion: Completion): { text: string; caret: number } {
  const name = completion.candidates[completion.index] as string;
  const suffix = completion.before.trim() === "" ? ": " : " ";
  const before = `${completion.before}${name}${suffix}`;
  return { text: before + completion.after, caret: before.length };
}

/** Starts a completion at the caret, or null when no name fits the word there. */
export function startCompletion(editor: Editor, names: readonly string[]): Completion | null {
  const head = editor.text.slice(0, editor.caret);
  const word = WORD_BEFORE.exec(head)?.[0] ?? "";
  const prefix = fold(word);
  const candidates = names.filter((name) => fold(name).startsWith(prefix));
  if (candidates.length === 0) return null;
  return {
    before: head.slice(0, head.length - word.length),
    after: editor.text.slice(editor.caret),
    candidates,
    index: 0,
  };
}

/** The next candidate (wrapping around). */
export function nextCompletion(completion: Completion): Completion {
  return { ...completion, index: (completion.index + 1) % completion.candidates.length };
}

/** The editor showing the completion's current candidate. */
export function completed(editor: Editor, completion: Completion): Editor {
  return { ...editor, ...applied(completion) };
}
