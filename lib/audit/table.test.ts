import { expect, test } from "bun:test";
import { bar, displayWidth, renderTable, truncate } from "./table.ts";

test("rows line up by display width with Hangul, emoji and ASCII labels", () => {
  const lines = renderTable(
    "t",
    "sender",
    [
      { key: "민수", count: 12 },
      { key: "jane", count: 3 },
      { key: "👩‍💻dev", count: 1 },
    ],
    80,
  );
  // Where each row's count ends, in terminal cells: the same column for every row.
  const countEnds = lines.slice(1).map((line) => displayWidth(/^.*?\s{2,}(\d+|count)/.exec(line)?.[0] ?? ""));
  expect(countEnds.length).toBe(4);
  expect(new Set(countEnds).size).toBe(1);
});

test("labels are made harmless and cut to 24 cells", () => {
  const [, , row] = renderTable("t", "sender", [{ key: `\u001b[2J${"가".repeat(30)}`, count: 1 }], 80);
  expect(row).not.toContain("\u001b");
  expect(row).toContain("␛[2J");
  expect(displayWidth(truncate("가".repeat(30), 24))).toBeLessThanOrEqual(24);
  expect(truncate("가".repeat(30), 24).endsWith("…")).toBe(true);
});

test("bars scale to the largest count in eighths, never vanish for a non-zero count", () => {
  expect(bar(10, 10, 4)).toBe("████");
  expect(bar(5, 10, 4)).toBe("██");
  expect(bar(1, 1000, 4)).toBe("▏");
  expect(bar(0, 10, 4)).toBe("");
});
