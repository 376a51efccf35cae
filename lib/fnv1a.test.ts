import { expect, test } from "bun:test";
import { fnv1aBytes, fnv1aStep, fnv1aUnits, OFFSET_BASIS } from "./fnv1a.ts";

test("the published FNV-1a 32-bit vectors, over bytes and over code units, and a range within", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  for (const [text, hash] of [
    ["", 0x811c9dc5],
    ["a", 0xe40c292c],
    ["foobar", 0xbf9cf968],
  ] as const) {
    expect(fnv1aBytes(bytes(text)) >>> 0).toBe(hash);
    expect(fnv1aUnits(text) >>> 0).toBe(hash);
  }
  expect(fnv1aBytes(bytes("xfoobarx"), 1, 7) >>> 0).toBe(0xbf9cf968);
  expect(fnv1aUnits("xfoobarx", 1, 7) >>> 0).toBe(0xbf9cf968);
  // Step by step, as a scan that hashes while it reads does.
  expect([...bytes("foobar")].reduce(fnv1aStep, OFFSET_BASIS) >>> 0).toBe(0xbf9cf968);
});
