/**
 * Raw terminal input bytes → key events, decoded as a stream: one read may hold many keys, half
 * a UTF-8 character or half an escape sequence, and a bracketed paste may span many reads. The
 * decoder keeps what it cannot decode yet and finishes it on the next `feed`. A lone ESC is
 * ambiguous (Escape key, or the start of a sequence still in flight), so it stays pending until
 * the caller calls `flush()` after a short quiet period (`ESC_TIMEOUT_MS`).
 */

export type KeyName =
  | "enter"
  | "tab"
  | "backspace"
  | "delete"
  | "insert"
  | "escape"
  | "up"
  | "down"
  | "left"
  | "right"
  | "home"
  | "end"
  | "pageup"
  | "pagedown"
  | "f1"
  | "f2"
  | "f3"
  | "f4"
  | "space"
  | "wheelup"
  | "wheeldown";

export type KeyEvent =
  /** Printable text typed (one or more grapheme clusters, never control characters). */
  | { type: "text"; text: string }
  /** A named key, or a letter with Ctrl/Alt (`name` is then the lowercase letter). */
  | { type: "key"; name: KeyName | string; ctrl: boolean; alt: boolean; shift: boolean }
  /** The content of a bracketed paste: newlines as "\n", other controls removed. */
  | { type: "paste"; text: string };

export const ESC_TIMEOUT_MS = 40;

const PASTE_END = "\x1b[201~";

function key(name: string, mods: { ctrl?: boolean; alt?: boolean; shift?: boolean } = {}): KeyEvent {
  return { type: "key", name, ctrl: mods.ctrl ?? false, alt: mods.alt ?? false, shift: mods.shift ?? false };
}

/** Final byte of a CSI/SS3 sequence → key name (xterm's "PC-style" function keys). */
const FINAL_KEYS: Record<string, KeyName> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  P: "f1",
  Q: "f2",
  R: "f3",
  S: "f4",
};

/** `CSI n ~` numbers → key name (VT220 editing keypad; rxvt and Linux console variants). */
const TILDE_KEYS: Record<string, KeyName> = {
  "1": "home",
  "2": "insert",
  "3": "delete",
  "4": "end",
  "5": "pageup",
  "6": "pagedown",
  "7": "home",
  "8": "end",
  "11": "f1",
  "12": "f2",
  "13": "f3",
  "14": "f4",
};

/** xterm modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4). */
function modifiers(param: string | undefined): { ctrl: boolean; alt: boolean; shift: boolean } {
  const bits = Math.max(0, Number(param ?? "1") - 1) || 0;
  return { shift: (bits & 1) !== 0, alt: (bits & 2) !== 0, ctrl: (bits & 4) !== 0 };
}

/** A C0 control byte (or DEL) typed on its own → key event; null for ones we ignore. */
function controlKey(code: number, alt: boolean): KeyEvent | null {
  if (code === 0x0d || code === 0x0a) return key("enter", { alt });
  if (code === 0x09) return key("tab", { alt });
  if (code === 0x7f || code === 0x08) return key("backspace", { alt });
  if (code === 0x00) return key("space", { ctrl: true, alt });
  if (code >= 0x01 && code <= 0x1a) return key(String.fromCharCode(code + 0x60), { ctrl: true, alt });
  return null;
}

/** Pasted text keeps its line breaks (as "\n") and tabs (as spaces); every other control goes. */
function cleanPaste(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\t/g, "    ")
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, "")
    .replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g, "");
}

/**
 * An SGR mouse report `CSI < button ; x ; y M|m`: the wheel becomes wheelup/wheeldown (with
 * its modifier bits), every other mouse event is dropped.
 */
function sgrMouse(body: string, fin: string): KeyEvent | null {
  const button = Number(body.slice(1).split(";")[0]);
  if (fin !== "M" || !Number.isInteger(button)) return null;
  const mods = { shift: (button & 4) !== 0, alt: (button & 8) !== 0, ctrl: (button & 16) !== 0 };
  const base = button & ~(4 | 8 | 16);
  if (base === 64) return key("wheelup", mods);
  if (base === 65) return key("wheeldown", mods);
  return null;
}

export class KeyDecoder {
  private readonly utf8 = new TextDecoder("utf-8");
  private pending = "";
  private paste: string | null = null;

  /** Decodes what can be decoded; keeps the rest for the next call. */
  feed(bytes: Uint8Array | string): KeyEvent[] {
    this.pending += typeof bytes === "string" ? bytes : this.utf8.decode(bytes, { stream: true });
    return this.drain(false);
  }

  /** True when input is held back waiting for more bytes (call `flush` after a quiet period). */
  hasPending(): boolean {
    return this.pending.length > 0 && this.paste === null;
  }

  /** Decodes held-back input as complete: a lone ESC becomes the Escape key. */
  flush(): KeyEvent[] {
    return this.drain(true);
  }

  private drain(final: boolean): KeyEvent[] {
    const events: KeyEvent[] = [];
    let text = "";
    const flushText = () => {
      if (text) events.push({ type: "text", text });
      text = "";
    };
    let s = this.pending;
    let i = 0;
    while (i < s.length) {
      if (this.paste !== null) {
        const end = s.indexOf(PASTE_END, i);
        if (end < 0) {
          // Keep a tail that could be the start of the end marker split across reads.
          const keep = Math.min(PASTE_END.length - 1, s.length - i);
          this.paste += s.slice(i, s.length - keep);
          s = s.slice(s.length - keep);
          i = 0;
          break;
        }
        events.push({ type: "paste", text: cleanPaste(this.paste + s.slice(i, end)) });
        this.paste = null;
        i = end + PASTE_END.length;
        continue;
      }
      const code = s.charCodeAt(i);
      if (code === 0x1b) {
        const parsed = this.escape(s, i, final);
        if (parsed === null) break;
        flushText();
        if (parsed.event) events.push(parsed.event);
        i = parsed.next;
        continue;
      }
      if (code < 0x20 || code === 0x7f) {
        flushText();
        const event = controlKey(code, false);
        if (event) events.push(event);
        i++;
        continue;
      }
      if (code >= 0x80 && code <= 0x9f) {
        i++;
        continue;
      }
      text += s[i];
      i++;
    }
    flushText();
    this.pending = s.slice(i);
    if (final && this.paste === null && this.pending) {
      const rest = this.pending;
      this.pending = "";
      if (rest === "\x1b") events.push(key("escape"));
    }
    return events;
  }

  /** Parses an escape sequence at `s[i]`; null means "incomplete, wait for more bytes". */
  private escape(s: string, i: number, final: boolean): { event: KeyEvent | null; next: number } | null {
    if (i + 1 >= s.length) return final ? { event: key("escape"), next: i + 1 } : null;
    const second = s[i + 1] as string;
    if (second === "[") return this.csi(s, i, final);
    if (second === "O") {
      if (i + 2 >= s.length)
        return final ? { event: key("o", { alt: true, shift: true }), next: i + 2 } : null;
      const name = FINAL_KEYS[s[i + 2] as string];
      return { event: name ? key(name) : null, next: i + 3 };
    }
    if (second === "\x1b") return { event: key("escape"), next: i + 1 };
    const code = second.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return { event: controlKey(code, true), next: i + 2 };
    const point = s.codePointAt(i + 1) ?? code;
    const char = String.fromCodePoint(point);
    const lower = char.toLowerCase();
    return { event: key(lower, { alt: true, shift: lower !== char }), next: i + 1 + char.length };
  }

  private csi(s: string, i: number, final: boolean): { event: KeyEvent | null; next: number } | null {
    let j = i + 2;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) break;
      if (c < 0x20 || c > 0x3f) return { event: null, next: j };
      j++;
    }
    if (j >= s.length) return final ? { event: null, next: s.length } : null;
    const body = s.slice(i + 2, j);
    const fin = s[j] as string;
    const next = j + 1;
    if (fin === "~") {
      const [number, mod] = body.split(";");
      if (number === "200") {
        this.paste = "";
        return { event: null, next };
      }
      const name = TILDE_KEYS[number ?? ""];
      return { event: name ? key(name, modifiers(mod)) : null, next };
    }
    if (fin === "Z") return { event: key("tab", { shift: true }), next };
    if (body.startsWith("<") && (fin === "M" || fin === "m")) return { event: sgrMouse(body, fin), next };
    // X10 mouse encoding (a terminal without SGR mode): three raw bytes follow, never text.
    if (body === "" && fin === "M") {
      if (next + 3 > s.length) return final ? { event: null, next: s.length } : null;
      return { event: null, next: next + 3 };
    }
    const name = FINAL_KEYS[fin];
    if (!name || body.startsWith("<") || body.startsWith("?")) return { event: null, next };
    const parts = body.split(";");
    return { event: key(name, modifiers(parts[1])), next };
  }
}
