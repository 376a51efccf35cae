import { expect, test } from "bun:test";
import { testIo } from "../../test/chat/test-io.ts";
import { decode, encode, LEAVE_HINT } from "../wire.ts";
import type { ChatSession } from "./loop.ts";
import { runPlain } from "./plain.ts";
import { plainLines } from "./plain-update.ts";
import type { RoomLink } from "./room.ts";

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

/** A room whose sends fail on cue (the seam: a broker failure), recording what was delivered. */
function flakyRoom(failures: number) {
  const delivered: string[] = [];
  let left = failures;
  const link = async (): Promise<RoomLink> => ({
    groupId: "g",
    historyLoaded: Promise.resolve(),
    send: async (record) => {
      if (left-- > 0) throw new Error("KafkaJSNumberOfRetriesExceeded: leader down");
      delivered.push(record.end ? "(leave)" : record.message);
    },
    close: async () => {},
  });
  const session: ChatSession = {
    rooms: ["r"],
    user: "u",
    options: { color: false, ambiguousWide: false, mouse: false },
    join: link,
  };
  return { session, delivered };
}

test("line mode retries a line whose send failed, keeps the order, and exits 0 once all are delivered", async () => {
  const { session, delivered } = flakyRoom(3);
  const { io, stderr, listening } = testIo("one\ntwo\nthree\n");
  expect(await runPlain(session, io)).toBe(0);
  expect(listening()).toBe(0);
  expect(delivered).toEqual(["User [u] has entered the chat!\n", "one", "two", "three", "(leave)"]);
  expect(stderr.join("")).toContain("not sent yet, retrying");
});
