import { expect, test } from "bun:test";
import { progressBar, renderProgress } from "./progress.ts";

test("the line: bar, records done of the backlog, rate and time left", () => {
  expect(renderProgress({ done: 250_000, total: 1_000_000, elapsedMs: 2_000, columns: 100 })).toBe(
    "[=====                 ] 250,000 / 1,000,000 records · 125,000/s · 6s left",
  );
  expect(renderProgress({ done: 0, total: 600, elapsedMs: 0, columns: 80 })).toBe(
    "[                      ] 0 / 600 records · 0/s · ? left",
  );
  expect(renderProgress({ done: 600, total: 600, elapsedMs: 1_500, columns: 80 })).toBe(
    "[======================] 600 / 600 records · 400/s · 0s left",
  );
  expect(renderProgress({ done: 1_000, total: 10_000_000, elapsedMs: 1_000, columns: 120 })).toContain(
    "· 2h 46m left",
  );
});

test("never wider than the terminal less one column, however narrow", () => {
  for (let columns = 1; columns <= 160; columns++) {
    const line = renderProgress({ done: 123_456, total: 9_876_543, elapsedMs: 3_210, columns });
    expect(line.length).toBeLessThanOrEqual(Math.max(0, columns - 1));
  }
});

test("redrawn in place at most every 100 ms (the last frame always), erased by clear", () => {
  let now = 0;
  const written: string[] = [];
  const stream = { columns: 80, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  const bar = progressBar(stream, () => now);
  bar.update(0, 100);
  now = 50;
  bar.update(10, 100);
  now = 120;
  bar.update(20, 100);
  now = 130;
  bar.update(100, 100);
  bar.clear();
  bar.clear();
  expect(written.map((w) => w.replace(/\[[= ]*\] /, ""))).toEqual([
    "\r\u001b[2K0 / 100 records · 0/s · ? left",
    "\r\u001b[2K20 / 100 records · 167/s · 1s left",
    "\r\u001b[2K100 / 100 records · 769/s · 0s left",
    "\r\u001b[2K",
  ]);
});
