/**
 * Smoke tests of the compiled binary in tmux, a second terminal independent of xterm.js:
 * Hangul typed and echoed, and the terminal restored after SIGTERM (checked with tmux's own
 * view of the pane: alternate screen off, what the chat drew gone).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brokerAddress, repoRoot, uniqueName } from "../support/broker.ts";
import { produceValues, readValues } from "../support/client.ts";

const binary = join(repoRoot, "dist", "dchat");
const hasChat = existsSync(binary) && spawnSync(binary, ["chat", "--help"]).status === 0;
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const skip = !hasChat || !hasTmux;
if (skip) {
  console.warn(
    `skipping tmux smoke tests: ${!hasTmux ? "tmux is not installed" : "dist/dchat with the chat command is missing (npm run build)"}`,
  );
}

const socket = uniqueName("dchat-test");
const tmux = (...args: string[]) =>
  spawnSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8" });
let brokers = "";

beforeAll(async () => {
  if (!skip) brokers = await brokerAddress();
});
afterAll(() => {
  if (!skip) tmux("kill-server");
});

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (check()) return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; panes:\n${capture("chat")}\n${capture("chat:friend")}`);
}

function capture(target = "chat"): string {
  return tmux("capture-pane", "-p", "-t", target).stdout;
}

function paneInfo(format: string, target = "chat"): string {
  return tmux("display-message", "-p", "-t", target, format).stdout.trim();
}

describe.skipIf(skip)("dist/dchat chat in tmux", () => {
  test("Hangul typed in tmux is echoed in the room; SIGTERM leaves and restores the terminal", async () => {
    const room = uniqueName("chat-tmux");
    const started = tmux(
      "new-session",
      "-d",
      "-s",
      "chat",
      "-x",
      "80",
      "-y",
      "20",
      "-e",
      "LANG=C.UTF-8",
      `${binary} chat --room ${room} --user 철수 --brokers ${brokers}`,
    );
    expect(started.status).toBe(0);
    tmux("set-option", "-t", "chat", "remain-on-exit", "on");
    await until("the chat to join", () => capture().includes("User [철수] has entered the chat!"));
    tmux("send-keys", "-t", "chat", "-l", "안녕 tmux 친구들");
    await until("the typed text in the input pane", () => capture().includes("YOU: 안녕 tmux 친구들"));
    expect(paneInfo("#{cursor_x},#{cursor_y}")).toBe(`${5 + 16},17`);
    tmux("send-keys", "-t", "chat", "Enter");
    await until("the message in the pane", () => capture().includes("철수: 안녕 tmux 친구들"));
    expect(paneInfo("#{alternate_on}")).toBe("1");

    // `sh -c` execs the single command, so the pane's process is dchat itself.
    expect(paneInfo("#{pane_current_command}")).toBe("dchat");
    spawnSync("kill", ["-TERM", paneInfo("#{pane_pid}")]);
    await until("the chat to exit", () => paneInfo("#{pane_dead}") === "1");
    // tmux marks the pane dead when the pty closes, and learns the exit status only when its
    // SIGCHLD handler reaps the child. Closing the pty runs libutempter, which swaps that handler
    // out for a moment, so the child's SIGCHLD can be lost and the exit status never arrives
    // (tmux issue #311; the child stays a zombie). A SIGCHLD of our own makes the server reap it.
    const server = paneInfo("#{pid}");
    await until("the chat's exit status", () => {
      if (paneInfo("#{pane_dead_status}#{pane_dead_signal}") !== "") return true;
      spawnSync("kill", ["-CHLD", server]);
      return false;
    });
    expect(paneInfo("#{pane_dead_signal}")).toBe("");
    expect(paneInfo("#{pane_dead_status}")).toBe("0");
    expect(paneInfo("#{alternate_on}")).toBe("0");
    expect(capture()).not.toContain("YOU:");
    const last = JSON.parse(readValues(brokers, room).at(-1) ?? "{}");
    expect(last).toMatchObject({
      sender: "철수",
      end: true,
      message: "\nUser [철수] has exited the chatroom.",
    });
  });

  test("two clients talk in Hangul and English, kcat writes seed records, exit leaves as the original", async () => {
    const room = uniqueName("chat-tmux2");
    const client = (user: string) => `${binary} chat --room ${room} --user ${user} --brokers ${brokers}`;
    tmux("new-session", "-d", "-s", "duo", "-x", "80", "-y", "20", "-e", "LANG=C.UTF-8", client("영희"));
    await until("영희 to join", () => capture("duo").includes("User [영희] has entered the chat!"));
    tmux("new-window", "-d", "-t", "duo", "-n", "friend", "-e", "LANG=C.UTF-8", client("tom"));
    await until("tom to join", () => capture("duo").includes("User [tom] has entered the chat!"));
    tmux("send-keys", "-t", "duo:0", "-l", "tom, 점심 먹었어?");
    tmux("send-keys", "-t", "duo:0", "Enter");
    await until("tom to see it", () => capture("duo:friend").includes("영희: tom, 점심 먹었어?"));
    tmux("send-keys", "-t", "duo:friend", "-l", "yes! 김치찌개 먹었어");
    tmux("send-keys", "-t", "duo:friend", "Enter");
    await until("영희 to see the answer", () => capture("duo").includes("tom: yes! 김치찌개 먹었어"));
    const seed = readFileSync(
      join(repoRoot, "test", "fixtures", "seed-chat", "messages.jsonl"),
      "utf8",
    ).split("\n");
    produceValues(brokers, room, seed.slice(2, 5));
    await until(
      "the seed records",
      () =>
        capture("duo").includes("user1: my name is kyuseok") &&
        capture("duo:friend").includes("user2: hello"),
    );
    tmux("send-keys", "-t", "duo:friend", "-l", "exit");
    tmux("send-keys", "-t", "duo:friend", "Enter");
    await until(
      "the leave lines",
      () =>
        capture("duo").includes("User [tom] has exited the chatroom.") &&
        capture("duo").includes("Type in 'exit' to also finish the chat."),
    );
    tmux("send-keys", "-t", "duo:0", "-l", "exit");
    tmux("send-keys", "-t", "duo:0", "Enter");
    await until("both to exit", () => tmux("has-session", "-t", "duo").status !== 0);
    const leaves = readValues(brokers, room)
      .map((v) => JSON.parse(v))
      .filter((r) => r.end);
    expect(leaves.map((r) => [r.sender, r.message])).toEqual([
      ["tom", "\nUser [tom] has exited the chatroom."],
      ["영희", "\nUser [영희] has exited the chatroom."],
    ]);
  });
});
