/**
 * A real terminal emulator (xterm.js, headless) for render tests: feed it the bytes dchat
 * writes and read back the screen rows and the cursor position.
 */
import { Terminal } from "@xterm/headless";

export class HeadlessTerminal {
  readonly term: Terminal;

  /** Times the terminal bell rang (BEL outside any sequence). */
  bells = 0;
  /** Desktop notifications asked for: OSC 9 and OSC 777 payloads, as the terminal parsed them. */
  notifications: string[] = [];

  constructor(cols: number, rows: number) {
    this.term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
    this.term.onBell(() => {
      this.bells++;
    });
    for (const code of [9, 777]) {
      this.term.parser.registerOscHandler(code, (data) => {
        this.notifications.push(`${code};${data}`);
        return true;
      });
    }
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => this.term.write(data, resolve));
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  /** Screen row `y` as text (wide characters once, trailing blanks trimmed). */
  row(y: number): string {
    const buffer = this.term.buffer.active;
    return buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? "";
  }

  rows(): string[] {
    return Array.from({ length: this.term.rows }, (_, y) => this.row(y));
  }

  cursor(): { row: number; col: number } {
    const buffer = this.term.buffer.active;
    return { row: buffer.cursorY, col: buffer.cursorX };
  }

  /** The alternate screen is active (dchat draws there, the shell's screen stays intact). */
  altScreen(): boolean {
    return this.term.buffer.active.type === "alternate";
  }

  /** Window title set by OSC 0/2, if anything ever set one. */
  title = "";

  trackTitle(): void {
    this.term.onTitleChange((title) => {
      this.title = title;
    });
  }

  /** Private modes the emulator reports as on (bracketed paste, cursor visibility, mouse). */
  modes(): { bracketedPaste: boolean; mouse: string; cursorHidden: boolean } {
    const modes = this.term.modes;
    return {
      bracketedPaste: modes.bracketedPasteMode,
      mouse: modes.mouseTrackingMode,
      cursorHidden: (this.term as unknown as { _core: { coreService: { isCursorHidden: boolean } } })._core
        .coreService.isCursorHidden,
    };
  }
}
