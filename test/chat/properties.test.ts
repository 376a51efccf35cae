/**
 * Properties checked over generated input: wrapping never loses text or overflows, and the
 * frame differ (scroll-region shifts included) always leaves the terminal showing exactly what
 * a full redraw would.
 */
import { expect, test } from "bun:test";
import fc from "fast-check";
import type { Frame } from "../../lib/term/frame.ts";
import { diff } from "../../lib/term/screen.ts";
import { cellWidth, wrap } from "../../lib/width.ts";
import { HeadlessTerminal } from "../term/headless.ts";

const pieces = ["가", "나", "한글", "a", "b", " ", "hello", "👍", "e\u0301", "ㅋ", "1"];
const text = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((p) => p.join(""));

test("wrap: every row fits, and the rows hold all non-space text in order", () => {
  fc.assert(
    fc.property(text, fc.integer({ min: 2, max: 30 }), (t, width) => {
      const rows = wrap(t, width);
      for (const row of rows) expect(cellWidth(row)).toBeLessThanOrEqual(width);
      expect(rows.join("").replaceAll(" ", "")).toBe(t.normalize("NFC").replaceAll(" ", ""));
    }),
  );
});

test("diff: any sequence of frames shows the same screen as drawing the last one from scratch", async () => {
  const cols = 16;
  const rows = 8;
  const line = fc
    .array(fc.constantFrom("가", "a", "b", "👍", " ", "x"), { maxLength: 8 })
    .map((p) => p.join(""));
  // Frames that often share rows with the previous one moved up, as a scrolling pane does.
  const frames = fc.array(
    fc.tuple(fc.array(line, { minLength: rows, maxLength: rows }), fc.integer({ min: 0, max: 3 })),
    {
      minLength: 1,
      maxLength: 6,
    },
  );
  await fc.assert(
    fc.asyncProperty(frames, async (steps) => {
      const term = new HeadlessTerminal(cols, rows);
      let prev: Frame | null = null;
      let pane: string[] = [];
      for (const [fresh, shift] of steps) {
        pane = prev
          ? [...pane.slice(shift), ...fresh.slice(0, shift)].slice(0, rows - 2)
          : fresh.slice(0, rows - 2);
        while (pane.length < rows - 2) pane.push("");
        const frame: Frame = {
          rows: [...pane, "status", fresh[7] ?? ""],
          cols,
          region: { top: 0, bottom: rows - 3 },
          cursor: { row: 7, col: 3 },
        };
        await term.write(diff(prev, frame));
        prev = frame;
      }
      const fresh = new HeadlessTerminal(cols, rows);
      if (prev) await fresh.write(diff(null, prev));
      expect(term.rows()).toEqual(fresh.rows());
      expect(term.cursor()).toEqual({ row: 7, col: 3 });
    }),
    { numRuns: 60 },
  );
});
