/**
 * The full-screen chat with in-memory rooms for test/chat/run.test.ts: room `slow` connects after
 * 300 ms, room `fast` after 50 ms, and every send takes 500 ms, so the second room's join record
 * is queued while the first one's is still in flight. Each record sent is appended as a JSON line
 * `{room, message}` to $ROOMS_LOG.
 */
import { appendFileSync } from "node:fs";
import type { RoomHandlers } from "../../lib/chat/room.ts";
import { runChat } from "../../lib/chat/run.ts";
import type { ChatRecord } from "../../lib/wire.ts";
import { processIo } from "../../main.ts";

const delays: Record<string, number> = { slow: 300, fast: 50 };
const join = async (room: string, _handlers: RoomHandlers) => {
  await Bun.sleep(delays[room] ?? 0);
  return {
    groupId: room,
    historyLoaded: Promise.resolve(),
    send: async (record: ChatRecord) => {
      await Bun.sleep(500);
      appendFileSync(
        process.env.ROOMS_LOG as string,
        `${JSON.stringify({ room, message: record.message })}\n`,
      );
    },
    close: async () => {},
  };
};
const session = {
  rooms: ["slow", "fast"],
  user: "tester",
  options: { color: true, ambiguousWide: false, mouse: false },
  join,
};
const code = await runChat(session, processIo());
process.exit(code);
