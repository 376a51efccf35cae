import { expect, test } from "bun:test";
import { isUserError } from "../errors.ts";
import { roomFilter } from "./rooms-served.ts";

function filter(rooms?: string, pattern?: string) {
  const result = roomFilter(rooms, pattern);
  if (isUserError(result)) throw new Error(result.message);
  return result;
}

test("by default every room but Kafka's internal topics", () => {
  const all = filter();
  expect(all("general")).toBe(true);
  expect(all("dchat.u.7YyAMiDtmozsnZjsi6Q")).toBe(true);
  expect(all("__consumer_offsets")).toBe(false);
  expect(all("_schemas")).toBe(false);
});

test("--rooms names rooms, Hangul ones through their topic", () => {
  const some = filter("general, 팀2 회의실");
  expect(some("general")).toBe(true);
  expect(some("dchat.u.7YyAMiDtmozsnZjsi6Q")).toBe(true);
  expect(some("other")).toBe(false);
});

test("--room-pattern matches the human room name", () => {
  const pattern = filter(undefined, "^팀2");
  expect(pattern("dchat.u.7YyAMiDtmozsnZjsi6Q")).toBe(true);
  expect(pattern("general")).toBe(false);
  expect(pattern("__consumer_offsets")).toBe(false);
});

test("bad selections are usage errors", () => {
  expect(isUserError(roomFilter("a", "b"))).toBe(true);
  expect(isUserError(roomFilter(" , ", undefined))).toBe(true);
  expect(isUserError(roomFilter(undefined, "(unclosed"))).toBe(true);
});
