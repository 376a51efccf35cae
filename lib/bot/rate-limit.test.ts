import { expect, test } from "bun:test";
import { parseRateLimit, RateLimiter } from "./rate-limit.ts";

test("a burst is answered, the next gets one notice, then silence until a token is back", () => {
  const limiter = new RateLimiter({ burst: 2, intervalMs: 1000 });
  expect(limiter.check("r", "kim", 0)).toBe("answer");
  expect(limiter.check("r", "kim", 0)).toBe("answer");
  expect(limiter.check("r", "kim", 10)).toBe("notify");
  expect(limiter.check("r", "kim", 20)).toBe("drop");
  expect(limiter.check("r", "lee", 20)).toBe("answer");
  expect(limiter.check("other", "kim", 20)).toBe("answer");
  expect(limiter.check("r", "kim", 1010)).toBe("answer");
  expect(limiter.check("r", "kim", 1020)).toBe("notify");
});

test("a question judged again (its batch redone) gets the same verdict", () => {
  const limiter = new RateLimiter({ burst: 1, intervalMs: 1000 });
  expect(limiter.check("r", "kim", 0, "t/0/1")).toBe("answer");
  expect(limiter.check("r", "kim", 0, "t/0/2")).toBe("notify");
  expect(limiter.check("r", "kim", 0, "t/0/1")).toBe("answer");
  expect(limiter.check("r", "kim", 0, "t/0/2")).toBe("notify");
  expect(limiter.check("r", "kim", 0, "t/0/3")).toBe("drop");
});

test("off never limits", () => {
  const limiter = new RateLimiter(parseRateLimit("off") ?? { burst: 1, intervalMs: 1 });
  for (let i = 0; i < 100; i++) expect(limiter.check("r", "kim", 0)).toBe("answer");
});

test("parseRateLimit", () => {
  expect(parseRateLimit("5/10s")).toEqual({ burst: 5, intervalMs: 2000 });
  expect(parseRateLimit("30/1m")).toEqual({ burst: 30, intervalMs: 2000 });
  expect(parseRateLimit("5")).toBeUndefined();
  expect(parseRateLimit("0/1s")).toBeUndefined();
});
