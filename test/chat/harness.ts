/**
 * Drives the pure chat core (update + view) and feeds the real bytes the screen writer
 * produces (lib/term/screen.ts `diff`) into a headless xterm, as run.ts does with a TTY.
 */
import {
  type ChatEffect,
  type ChatEvent,
  type ChatState,
  initialState,
  type Size,
} from "../../lib/chat/state.ts";
import { update } from "../../lib/chat/update.ts";
import { view } from "../../lib/chat/view.ts";
import type { Frame } from "../../lib/term/frame.ts";
import { diff } from "../../lib/term/screen.ts";
import { HeadlessTerminal } from "../term/headless.ts";

export class ChatHarness {
  state: ChatState;
  readonly term: HeadlessTerminal;
  effects: ChatEffect[] = [];
  bytes = "";
  private last: Frame | null = null;

  constructor(
    size: Size,
    user = "me",
    room: string | string[] = "team2",
    options = { color: true, ambiguousWide: false, mouse: false },
  ) {
    this.state = initialState(room, user, size, options);
    this.term = new HeadlessTerminal(size.cols, size.rows);
    this.term.trackTitle();
  }

  /** Applies events, then draws one frame (as the coalescing screen would). */
  async apply(...events: ChatEvent[]): Promise<void> {
    for (const event of events) {
      const [next, effects] = update(this.state, event);
      this.state = next;
      this.effects.push(...effects);
      if (event.type === "resize") this.term.resize(event.size.cols, event.size.rows);
    }
    await this.draw();
  }

  async draw(): Promise<void> {
    const frame = view(this.state);
    const out = diff(this.last, frame);
    this.last = frame;
    this.bytes += out;
    await this.term.write(out);
  }

  row(y: number): string {
    return this.term.row(y);
  }
}
