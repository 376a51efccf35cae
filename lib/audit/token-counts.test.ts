import { expect, test } from "bun:test";
import fc from "fast-check";
import { ByteTokenCounts, TokenCounts } from "./token-counts.ts";

test("counts every substring as a Map of sliced strings would, through growth and probing", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string({ unit: "binary", maxLength: 12 }), fc.nat(), fc.nat()), {
        maxLength: 400,
      }),
      (pieces) => {
        const table = new TokenCounts();
        const expected = new Map<string, number>();
        for (const [text, a, b] of pieces) {
          const start = text.length === 0 ? 0 : a % text.length;
          const end = start + (text.length === 0 ? 0 : b % (text.length - start + 1));
          table.add(text, start, end);
          const token = text.slice(start, end);
          expected.set(token, (expected.get(token) ?? 0) + 1);
        }
        const counted = new Map<string, number>();
        table.forEach((token, count) => {
          counted.set(token, count);
        });
        expect(counted).toEqual(expected);
      },
    ),
    { numRuns: 300 },
  );
});

test("counts every piece of UTF-8 bytes as a Map of their decoded text would, keys copied", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.nat(), fc.nat()), { maxLength: 400 }),
      (pieces) => {
        const table = new ByteTokenCounts();
        const expected = new Map<string, number>();
        const reused = Buffer.alloc(64);
        for (const [text, a, b] of pieces) {
          const length = reused.write(text);
          const start = length === 0 ? 0 : a % length;
          const end = start + (length === 0 ? 0 : b % (length - start + 1));
          table.add(reused.subarray(0, length), start, end);
          const token = reused.toString("utf8", start, end);
          expected.set(token, (expected.get(token) ?? 0) + 1);
          reused.fill(0xff);
        }
        const counted = new Map<string, number>();
        table.forEach((token, count) => {
          counted.set(token, (counted.get(token) ?? 0) + count);
        });
        expect(counted).toEqual(expected);
      },
    ),
    { numRuns: 300 },
  );
});
