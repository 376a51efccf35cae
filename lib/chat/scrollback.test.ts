import { expect, test } from "bun:test";
import {
  append,
  type Entry,
  emptyScrollback,
  entriesOf,
  entryAt,
  indexOfSeq,
  lastEntry,
  patch,
} from "./scrollback.ts";

const entry = (text: string): Omit<Entry, "seq"> => ({ kind: "message", time: null, sender: "a", text });

test("the buffer keeps the newest entries up to its limit, with increasing sequence numbers", () => {
  let sb = emptyScrollback();
  for (let i = 0; i < 30; i++) sb = append(sb, [entry(`m${i}`), entry(`n${i}`)], 25);
  expect(sb.length).toBe(25);
  expect(lastEntry(sb)).toMatchObject({ text: "n29", seq: 60 });
  expect(entryAt(sb, 0)?.seq).toBe(36);
  expect(indexOfSeq(sb, 36)).toBe(0);
  expect(indexOfSeq(sb, 35)).toBe(-1);
});

test("batches of any size across chunk boundaries give the same buffer as a plain array", () => {
  const limit = 1000;
  let sb = emptyScrollback();
  let model: Entry[] = [];
  let n = 0;
  // Sizes chosen to straddle the chunk size in every way: single entries, exact and odd fills.
  for (const size of [1, 127, 1, 128, 300, 5, 1000, 1, 2, 1500, 64, 63, 129, 999, 1, 256]) {
    const batch = Array.from({ length: size }, () => entry(`e${n++}`));
    const before = sb;
    const beforeEntries = entriesOf(before);
    sb = append(sb, batch, limit);
    model = [...model, ...batch.map((e, i) => ({ ...e, seq: (model.at(-1)?.seq ?? 0) + 1 + i }))].slice(
      -limit,
    );
    expect(entriesOf(sb)).toEqual(model);
    // The earlier state is untouched.
    expect(entriesOf(before)).toEqual(beforeEntries);
  }
  const target = model[400] as Entry;
  const patched = patch(sb, (e) => e.seq === target.seq, { text: "changed" });
  expect(entryAt(patched, 400)?.text).toBe("changed");
  expect(entryAt(sb, 400)?.text).toBe(target.text);
  expect(entriesOf(patched).filter((e) => e.text === "changed")).toHaveLength(1);
  expect(indexOfSeq(sb, target.seq)).toBe(400);
});
