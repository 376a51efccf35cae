import { expect, test } from "bun:test";
import { decode, encode, LEAVE_HINT } from "../wire.ts";
import { plainLines } from "./plain.ts";

const record = (sender: string, message: string, end = false) =>
  decode(encode({ sender, message, end, timestamp: "2024-08-26T11:26:28.670735" }), 0);

test("one line per record, controls made visible, leave with the original's hint", () => {
  expect(plainLines(record("user2", "hi"))).toEqual(["11:26 user2: hi"]);
  expect(plainLines(record("[INFO]", "User [a] has entered the chat!\n"))).toEqual([
    "11:26 [INFO]: User [a] has entered the chat!",
  ]);
  expect(plainLines(record("a\x1b[31m", "two\nlines\x1b]52;c;eA==\x07"))).toEqual([
    "11:26 a␛[31m: two␊lines␛]52;c;eA==␇",
  ]);
  expect(plainLines(record("a", "\nUser [a] has exited the chatroom.", true))).toEqual([
    "11:26 User [a] has exited the chatroom.",
    LEAVE_HINT,
  ]);
});

test("a malformed record is one marked line", () => {
  const [line] = plainLines(decode(new TextEncoder().encode("[1,2]"), new Date(2024, 0, 1, 9, 5).getTime()));
  expect(line).toBe("09:05 ⚠ malformed record: not-object: record is an array, expected a JSON object");
});
