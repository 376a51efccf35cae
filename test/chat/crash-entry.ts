/**
 * The full-screen chat (line mode with CRASH_PLAIN=1) with an in-memory room whose code throws
 * from a timer once it is up: a stand-in for any bug. What the room is asked to do (send, close) is appended as JSON
 * lines to $CRASH_LOG; with CRASH_HANG=1 the room never answers a send after the join, as a
 * broker gone silent would.
 */
import { appendFileSync } from "node:fs";
import { runPlain } from "../../lib/chat/plain.ts";
import { runChat } from "../../lib/chat/run.ts";
import type { ChatRecord } from "../../lib/wire.ts";
import { processIo } from "../../main.ts";

const log = (entry: object) => {
  if (process.env.CRASH_LOG) appendFileSync(process.env.CRASH_LOG, `${JSON.stringify(entry)}\n`);
};
let sent = 0;

const join = async () => {
  setTimeout(() => {
    throw new Error("boom from a bug");
  }, 500);
  return {
    groupId: "none",
    historyLoaded: Promise.resolve(),
    send: async (record: ChatRecord) => {
      if (sent++ > 0 && process.env.CRASH_HANG === "1") return new Promise<void>(() => {});
      log({ sent: record });
    },
    close: async () => log({ closed: true }),
  };
};
const session = {
  rooms: ["crash"],
  user: "tester",
  options: { color: true, ambiguousWide: false, mouse: false },
  join,
};

try {
  const run = process.env.CRASH_PLAIN === "1" ? runPlain : runChat;
  await run(session, processIo());
  process.exit(0);
} catch (error) {
  process.stderr.write(`crashed: ${(error as Error).message}\n`);
  process.exit(70);
}
