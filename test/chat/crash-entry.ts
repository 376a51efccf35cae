/**
 * The full-screen chat with an in-memory room whose code throws from a timer once the screen is
 * up: a stand-in for any bug. The test checks the terminal comes back and the error surfaces.
 */
import { runChat } from "../../lib/chat/run.ts";

const session = {
  room: "crash",
  user: "tester",
  options: { color: true, ambiguousWide: false },
  connect: async () => {
    setTimeout(() => {
      throw new Error("boom from a bug");
    }, 500);
    return { groupId: "none", historyLoaded: Promise.resolve(), send: async () => {}, close: async () => {} };
  },
};

try {
  await runChat(session, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
  process.exit(0);
} catch (error) {
  process.stderr.write(`crashed: ${(error as Error).message}\n`);
  process.exit(70);
}
