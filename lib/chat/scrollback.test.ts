import { expect, test } from "bun:test";
import { append, emptyScrollback, indexOfSeq } from "./scrollback.ts";
import type { Entry } from "./state.ts";

const entry = (text: string): Omit<Entry, "seq"> => ({ kind: "message", time: null, sender: "a", text });

test("the buffer keeps the newest entries up to its limit, with increasing sequence numbers", () => {
  let sb = emptyScrollback();
  for (let i = 0; i < 30; i++) sb = append(sb, [entry(`m${i}`), entry(`n${i}`)], 25);
  expect(sb.entries).toHaveLength(25);
  expect(sb.entries.at(-1)).toMatchObject({ text: "n29", seq: 60 });
  expect(sb.entries[0]?.seq).toBe(36);
  expect(indexOfSeq(sb, 36)).toBe(0);
  expect(indexOfSeq(sb, 35)).toBe(-1);
});
