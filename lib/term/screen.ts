/**
 * The only code that writes to the terminal. It owns the modes (raw input, alternate screen,
 * bracketed paste, scroll region), turns each Frame into the bytes that differ from the last
 * one, draws at most one frame per FRAME_MS however many updates arrive, and restores the
 * terminal on every way out: normal stop, Ctrl-Z (and back on `fg`), and process exit after a
 * crash (a synchronous write in the `exit` handler).
 *
 * The message pane is a DECSTBM scroll region: when the new pane equals the old one moved up by
 * k rows, one `CSI k S` scrolls it and only the k new rows are written. Rows are erased before
 * they are written (erasing after a full-width row would clear its last cell), and the cursor
 * is never hidden: it ends every frame at the input caret, where the IME draws.
 */
import { writeSync } from "node:fs";
import {
  altScreenOn,
  bell,
  clearScreen,
  cursorShow,
  mouseOn,
  moveTo,
  pasteOn,
  restoreAll,
  scrollRegion,
  scrollUp,
  syncBegin,
  syncEnd,
} from "./ansi.ts";
import type { Frame } from "./frame.ts";

/** ~60 frames per second at most. */
export const FRAME_MS = 16;

/**
 * How soon a change is drawn: `urgent` at once (the user's own keystrokes, at human rate, so
 * typing echoes at once even during a flood), `frame` at most one frame per FRAME_MS, and
 * `background` (messages arriving in a room not shown: only a counter in the room bar moves)
 * ten times a second — a counter nobody can read at 60 Hz is not worth a terminal write each.
 */
export type Pace = "urgent" | "frame" | "background";

export const BACKGROUND_MS = 100;

/** Milliseconds until a change of this pace may be drawn, `sinceDraw` ms after the last frame. */
export function frameWait(pace: Pace, sinceDraw: number): number {
  if (pace === "urgent") return 0;
  return Math.max(0, (pace === "frame" ? FRAME_MS : BACKGROUND_MS) - sinceDraw);
}

const eraseLine = "\x1b[2K";

function sameShape(a: Frame, b: Frame): boolean {
  return (
    a.cols === b.cols &&
    a.rows.length === b.rows.length &&
    a.region?.top === b.region?.top &&
    a.region?.bottom === b.region?.bottom
  );
}

/** Smallest k > 0 with next[top..bottom-k] == prev[top+k..bottom], if scrolling saves writes. */
function scrollShift(prev: string[], next: string[], top: number, bottom: number): number {
  const height = bottom - top + 1;
  for (let k = 1; k < height; k++) {
    let same = true;
    for (let r = top; r <= bottom - k; r++) {
      if (next[r] !== prev[r + k]) {
        same = false;
        break;
      }
    }
    // Only worth it when what stays is not blank (a blank pane "matches" any shift).
    if (same && prev.slice(top + k, bottom + 1).some((row) => row !== "")) return k;
  }
  return 0;
}

/** The bytes that turn the screen showing `prev` (null: unknown) into `next`. */
export function diff(prev: Frame | null, next: Frame): string {
  let out = syncBegin;
  let old: string[];
  if (!prev || !sameShape(prev, next)) {
    out += `\x1b[r${clearScreen}`;
    if (next.region) out += scrollRegion(next.region.top, next.region.bottom);
    old = next.rows.map(() => "");
  } else {
    old = [...prev.rows];
    const region = next.region;
    if (region) {
      const k = scrollShift(old, next.rows, region.top, region.bottom);
      if (k > 0) {
        out += scrollUp(k);
        old.splice(region.top, k);
        old.splice(region.bottom - k + 1, 0, ...Array<string>(k).fill(""));
      }
    }
  }
  for (let r = 0; r < next.rows.length; r++) {
    const row = next.rows[r] as string;
    if (row !== old[r]) out += `${moveTo(r, 0)}${eraseLine}${row}`;
  }
  out += `\x1b[0m${moveTo(next.cursor.row, next.cursor.col)}${cursorShow}${syncEnd}`;
  return out;
}

export interface Terminal {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

export class Screen {
  private last: Frame | null = null;
  private source: (() => Frame) | null = null;
  /** Cancels the scheduled frame, if one is scheduled. */
  private timer: (() => void) | null = null;
  private timerDue = 0;
  private lastDraw = 0;
  private active = false;
  private waitingDrain = false;
  private ringBell = false;
  /** Notifications (OSC 9 / 777) to write with the next frame. */
  private notices = "";
  /** Frames written so far (for the flood benchmark). */
  frames = 0;

  constructor(
    private readonly term: Terminal,
    private readonly now: () => number = () => performance.now(),
    /** Report the mouse wheel (the terminal's own selection then needs Shift). */
    private readonly mouse = false,
  ) {}

  private readonly restoreOnExit = () => this.restoreSync();

  /** Raw mode, alternate screen, bracketed paste (and mouse); the next frame is drawn in full. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.term.stdin.setRawMode?.(true);
    this.term.stdout.write(`${altScreenOn}${pasteOn}${this.mouse ? mouseOn : ""}${clearScreen}`);
    this.last = null;
    // The one process hook left in library code, on purpose: the last way to give the terminal
    // back when everything else failed (a crash inside the crash handling, an exit from anywhere),
    // so it must not depend on the code that failed. It only writes the restore sequence.
    process.on("exit", this.restoreOnExit);
  }

  /** Everything back as it was; idempotent. */
  stop(): void {
    if (!this.active) return;
    this.cancel();
    this.restoreSync();
    process.off("exit", this.restoreOnExit);
  }

  private restoreSync(): void {
    if (!this.active) return;
    this.active = false;
    // Synchronous when possible: on the `exit` path an async write would never be flushed.
    const fd = (this.term.stdout as { fd?: unknown }).fd;
    if (typeof fd === "number") writeSync(fd, restoreAll);
    else this.term.stdout.write(restoreAll);
    this.term.stdin.setRawMode?.(false);
  }

  /** Ctrl-Z: undo the modes before the caller stops the process; `resume` (on SIGCONT) redoes them. */
  suspend(): void {
    if (!this.active) return;
    this.cancel();
    this.restoreSync();
  }

  resume(): void {
    this.start();
    this.request();
  }

  /** Forces the next frame to be drawn in full (Ctrl-L, SIGWINCH with unchanged size). */
  invalidate(): void {
    this.last = null;
  }

  bell(): void {
    this.ringBell = true;
  }

  /** A desktop notification sequence (see ansi.ts `notification`), written with the next frame. */
  notify(sequence: string): void {
    this.notices += sequence;
  }

  /**
   * Asks for a frame at `pace` (see Pace); `source` is called only when the frame is actually
   * drawn. A frame already due sooner is kept; one due later is brought forward.
   */
  request(source?: () => Frame, pace: Pace = "frame"): void {
    if (source) this.source = source;
    if (!this.active || this.waitingDrain) return;
    const now = this.now();
    const wait = frameWait(pace, now - this.lastDraw);
    if (this.timer && this.timerDue <= now + wait) return;
    this.cancel();
    this.timerDue = now + wait;
    const fire = () => {
      this.timer = null;
      this.draw();
    };
    // setImmediate when no wait is needed: a 0 ms setTimeout still costs about a millisecond.
    if (wait === 0) {
      const handle = setImmediate(fire);
      this.timer = () => clearImmediate(handle);
    } else {
      const handle = setTimeout(fire, wait);
      this.timer = () => clearTimeout(handle);
    }
  }

  private cancel(): void {
    this.timer?.();
    this.timer = null;
  }

  private draw(): void {
    if (!this.source || !this.active) return;
    const frame = this.source();
    const bytes = diff(this.last, frame) + (this.ringBell ? bell : "") + this.notices;
    this.ringBell = false;
    this.notices = "";
    this.last = frame;
    this.lastDraw = this.now();
    this.frames++;
    if (!this.term.stdout.write(bytes)) {
      // A slow terminal: stop drawing until it has caught up, then draw the newest frame once.
      this.waitingDrain = true;
      this.term.stdout.once("drain", () => {
        this.waitingDrain = false;
        this.request();
      });
    }
  }
}
