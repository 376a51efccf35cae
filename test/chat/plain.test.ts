/** Line mode run in-process with in-memory rooms (the seam: a broker failure on cue). */
import { expect, test } from "bun:test";
import type { ChatSession } from "../../lib/chat/loop.ts";
import { runPlain } from "../../lib/chat/plain.ts";
import type { RoomLink } from "../../lib/chat/room.ts";
import { testIo } from "./test-io.ts";

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
