import { expect, test } from "bun:test";
import { fnv1a, senderColor } from "./colors.ts";

test("FNV-1a matches the reference values", () => {
  expect(fnv1a("")).toBe(0x811c9dc5);
  expect(fnv1a("a")).toBe(0xe40c292c);
  expect(fnv1a("foobar")).toBe(0xbf9cf968);
});

test("sender colours are pinned: changing them recolours every user", () => {
  expect(["user1", "user2", "민수", "alex"].map(senderColor)).toEqual([178, 111, 220, 212]);
});

test("the same name in NFD (macOS) gets the same colour as NFC", () => {
  expect(senderColor("민수".normalize("NFD"))).toBe(senderColor("민수"));
});
