/**
 * A process that starts a Screen on a terminal stand-in and then crashes with an uncaught
 * exception (for lib/term/screen.test.ts). The stand-in writes what the screen sends, and each
 * raw-mode switch, to the file named by argv[2], synchronously, so the file shows what the
 * `exit` hook did after the crash.
 */
import { appendFileSync, openSync } from "node:fs";
import { Screen } from "../../lib/term/screen.ts";

const path = process.argv[2] as string;
const fd = openSync(path, "a");
const stdout = {
  fd,
  write: (text: string) => {
    appendFileSync(path, text);
    return true;
  },
};
const stdin = { setRawMode: (on: boolean) => appendFileSync(path, `<raw ${on}>`) };
new Screen({
  stdin: stdin as unknown as NodeJS.ReadStream,
  stdout: stdout as unknown as NodeJS.WriteStream,
}).start();
appendFileSync(path, "<started>");
throw new Error("crash on purpose");
