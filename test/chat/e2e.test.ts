/**
 * dchat chat end to end: clients in real pseudo-terminals against the real broker, a third
 * party (librdkafka, test/support/client.ts) writing records exactly as the original Python clients did, and the topic read
 * back with it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { encode, leaveRecord } from "../../lib/wire.ts";
import { brokerAddress, repoRoot, uniqueName } from "../support/broker.ts";
import { consumerGroups, produceValues, readRecords, readValues } from "../support/client.ts";
import { runDchat } from "../support/dchat.ts";
import { chatCommandLine, PtyChat } from "./pty.ts";

let brokers = "";
const seed = readFileSync(join(repoRoot, "test", "fixtures", "seed-chat", "messages.jsonl"), "utf8")
  .trim()
  .split("\n");

beforeAll(async () => {
  brokers = await brokerAddress();
});

/**
 * The chat consumer groups on the broker; with `clientId`, only those with a member of that
 * client id (so chat clients of other tests or benchmarks on the shared broker do not count).
 */
function chatGroups(clientId?: string): string[] {
  return consumerGroups(brokers, {
    prefix: "dchat-chat-",
    ...(clientId !== undefined ? { client: clientId } : {}),
  });
}

function records(topic: string): { sender: string; message: string; end: boolean; timestamp: string }[] {
  return readValues(brokers, topic).map((value) => JSON.parse(value));
}

describe("dchat chat in a terminal", () => {
  const clients: PtyChat[] = [];
  afterAll(() => {
    for (const client of clients) client.proc.kill("SIGKILL");
  });

  test("two clients talk in Hangul and English; librdkafka writes seed records; exit leaves as the original", async () => {
    const room = uniqueName("chat-e2e");
    const clientId = uniqueName("dchat-e2e");
    const a = new PtyChat(["--room", room, "--user", "민수", "--brokers", brokers, "--client-id", clientId]);
    clients.push(a);
    await a.untilText("● connected");
    const b = new PtyChat(["--room", room, "--user", "alex", "--brokers", brokers, "--client-id", clientId]);
    clients.push(b);
    await b.untilText("User [alex] has entered the chat!");
    await a.untilText("User [alex] has entered the chat!");

    a.type("안녕하세요 alex");
    await a.until(
      "typed Hangul with the caret after it",
      (s) => s.row(13) === "YOU: 안녕하세요 alex" && s.cursor().col === 5 + 15,
    );
    a.type("\r");
    await b.untilText("민수: 안녕하세요 alex");
    b.type("hi 민수, 반가워요!\r");
    await a.untilText("alex: hi 민수, 반가워요!");

    produceValues(brokers, room, seed.slice(0, 5));
    await a.untilText("user1: my name is kyuseok");
    await b.untilText("user1: my name is kyuseok");
    // Both have received records, so both are members of their own group by now.
    const ours = chatGroups(clientId);
    expect(ours).toHaveLength(2);
    expect(a.text()).toContain("[INFO] User [user1] has entered the chat!");

    b.type("exit\r");
    expect(await b.exited()).toBe(0);
    expect(b.screen.altScreen()).toBe(false);
    await a.untilText("User [alex] has exited the chatroom.");
    await a.untilText("Type in 'exit' to also finish the chat.");

    a.type("exit\r");
    expect(await a.exited()).toBe(0);

    const topic = records(room);
    const leave = topic.find((r) => r.end && r.sender === "alex");
    expect(leave).toBeDefined();
    if (leave) {
      expect(leave.message).toBe("\nUser [alex] has exited the chatroom.");
      expect(readValues(brokers, room)).toContain(
        encode(leaveRecord("alex", new Date(0)))
          .toString()
          .replace(/"timestamp": "[^"]*"/, `"timestamp": "${leave.timestamp}"`),
      );
    }
    expect(topic.filter((r) => !r.end && r.sender !== "[INFO]").map((r) => r.message)).toEqual([
      "안녕하세요 alex",
      "hi 민수, 반가워요!",
      "hi",
      "hello",
      "my name is kyuseok",
    ]);
    const remaining = new Set(chatGroups());
    expect(ours.filter((id) => remaining.has(id))).toEqual([]);
  });

  test("--mouse: the wheel scrolls the room; reporting is off again after leaving", async () => {
    const room = uniqueName("chat-mouse");
    produceValues(
      brokers,
      room,
      Array.from({ length: 30 }, (_, i) =>
        encode({
          sender: "bob",
          message: `old ${i}`,
          end: false,
          timestamp: "2024-08-26T11:30:00",
        }).toString(),
      ),
    );
    const c = new PtyChat(["--room", room, "--user", "wheel", "--brokers", brokers, "--mouse"]);
    clients.push(c);
    await c.untilText("User [wheel] has entered the chat!");
    expect(c.screen.modes().mouse).not.toBe("none");
    expect(c.text()).toContain("old 29");
    // Two notches up (SGR reports, as the terminal sends them): six rows back.
    c.type("\x1b[<64;5;5M\x1b[<64;5;5M");
    await c.untilText("scrolled ↑");
    expect(c.text()).toContain("old 25");
    expect(c.text()).not.toContain("old 29");
    c.type("exit\r");
    expect(await c.exited()).toBe(0);
    expect(c.screen.modes()).toEqual({ bracketedPaste: false, mouse: "none", cursorHidden: false });
  });

  test("SIGTERM sends the leave record and restores the terminal", async () => {
    const room = uniqueName("chat-term");
    const c = new PtyChat(["--room", room, "--user", "term", "--brokers", brokers]);
    clients.push(c);
    await c.untilText("User [term] has entered the chat!");
    c.type("half typed");
    await c.untilText("YOU: half typed");
    expect(c.screen.modes().bracketedPaste).toBe(true);
    c.proc.kill("SIGTERM");
    expect(await c.exited()).toBe(0);
    expect(c.screen.altScreen()).toBe(false);
    expect(c.screen.modes()).toEqual({ bracketedPaste: false, mouse: "none", cursorHidden: false });
    expect(records(room).at(-1)).toMatchObject({
      sender: "term",
      end: true,
      message: "\nUser [term] has exited the chatroom.",
    });
  });

  test("history: the last N records on join; resize redraws without losing the input", async () => {
    const room = uniqueName("chat-hist");
    produceValues(brokers, room, seed.slice(0, 20));
    const c = new PtyChat(["--room", room, "--user", "late", "--history", "3", "--brokers", brokers], {
      cols: 60,
      rows: 14,
    });
    clients.push(c);
    await c.untilText("User [late] has entered the chat!");
    const shown = c.text();
    expect(shown).toContain("1: hello");
    expect(shown).toContain("2: hi");
    expect(shown).not.toContain("my name is kyuseok");
    c.type("입력 유지");
    await c.untilText("YOU: 입력 유지");
    c.resize(40, 10);
    await c.until(
      "the input pane at the new bottom",
      (s) => s.row(7) === "YOU: 입력 유지" && s.cursor().row === 7 && s.cursor().col === 14,
    );
    expect(c.text()).toContain("User [late] has entered");
    c.type("\x03");
    expect(await c.exited()).toBe(0);
  });

  test("without a terminal: stdin lines are sent, records printed one per line, EOF leaves", async () => {
    const room = uniqueName("chat-plain");
    produceValues(brokers, room, [
      seed[2] as string,
      JSON.stringify({ sender: "x\u001b]0;t\u0007", message: "a\u001b[2Jb", end: false }),
    ]);
    const proc = Bun.spawn([...chatCommandLine(), "--room", room, "--user", "pipe", "--brokers", brokers], {
      stdin: new TextEncoder().encode("첫 줄\nsecond line\n"),
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home") },
    });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("user2: hi\n");
    expect(out).toContain(" x␛]0;t␇: a␛[2Jb\n");
    expect(out).not.toContain("\u001b");
    const sent = records(room).slice(2);
    expect(sent.map((r) => [r.sender, r.message, r.end])).toEqual([
      ["[INFO]", "User [pipe] has entered the chat!\n", false],
      ["pipe", "첫 줄", false],
      ["pipe", "second line", false],
      ["pipe", "\nUser [pipe] has exited the chatroom.", true],
    ]);
  });

  test("in a room of several partitions a client's records share one partition, keyed by its user", async () => {
    const room = uniqueName("chat-keyed");
    const created = await runDchat([
      "send",
      "--brokers",
      brokers,
      "--room",
      room,
      "--user",
      "x",
      "--partitions",
      "4",
      "seed",
    ]);
    expect(created.code).toBe(0);
    const proc = Bun.spawn([...chatCommandLine(), "--room", room, "--user", "민수", "--brokers", brokers], {
      stdin: new TextEncoder().encode("하나\n둘\n셋\n"),
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home") },
    });
    expect(await proc.exited).toBe(0);
    const mine = readRecords(brokers, room).filter((r) => r.key === "민수");
    expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
    // Joined, the messages, left: in the order written, since they share the partition.
    expect(mine.map((r) => (JSON.parse(r.value) as { message: string }).message)).toEqual([
      "User [민수] has entered the chat!\n",
      "하나",
      "둘",
      "셋",
      "\nUser [민수] has exited the chatroom.",
    ]);
  });
});

describe("dchat chat keys and prompts in a terminal", () => {
  test("a bracketed multi-line paste is shown, not sent; Enter sends one message per line", async () => {
    const room = uniqueName("chat-paste");
    const c = new PtyChat(["--room", room, "--user", "paster", "--brokers", brokers]);
    await c.untilText("User [paster] has entered the chat!");
    c.type("\x1b[200~첫째 줄\r\n둘째 줄\x1b[201~");
    await c.untilText("Enter sends 2 lines");
    expect(c.text()).toContain("YOU: 첫째 줄\n     둘째 줄");
    expect(c.screen.cursor()).toEqual({ row: 14, col: 5 + 7 });
    expect(records(room).filter((r) => r.sender === "paster")).toEqual([]);
    c.type("\r");
    await c.untilText("paster: 둘째 줄");
    c.type("\x04");
    expect(await c.exited()).toBe(0);
    expect(
      records(room)
        .filter((r) => r.sender === "paster")
        .map((r) => r.message),
    ).toEqual(["첫째 줄", "둘째 줄", "\nUser [paster] has exited the chatroom."]);
  });

  test("Ctrl-Z restores the terminal and stops; SIGCONT (fg) brings the screen and the input back", async () => {
    const room = uniqueName("chat-tstp");
    const c = new PtyChat(["--room", room, "--user", "zed", "--brokers", brokers]);
    await c.untilText("User [zed] has entered the chat!");
    c.type("keep me");
    await c.untilText("YOU: keep me");
    c.type("\x1a");
    await c.until("the terminal restored", (s) => !s.altScreen() && !s.modes().bracketedPaste);
    c.proc.kill("SIGCONT");
    await c.until(
      "the chat redrawn",
      (s) => s.altScreen() && s.modes().bracketedPaste && s.row(13) === "YOU: keep me",
    );
    expect(c.screen.cursor()).toEqual({ row: 13, col: 12 });
    c.type("\x03");
    expect(await c.exited()).toBe(0);
  });

  test("without --room and --user, both are asked for, then the chat starts", async () => {
    const room = uniqueName("chat-prompt");
    const c = new PtyChat(["--brokers", brokers]);
    await c.untilText("Chat room");
    c.type(`${room}\r`);
    await c.untilText("Your name");
    c.type("물어본사람\r");
    await c.untilText("User [물어본사람] has entered the chat!");
    expect(c.text()).toContain(`#${room} · 물어본사람`);
    c.type("\x03");
    expect(await c.exited()).toBe(0);
  });

  test("Ctrl-C at the room prompt exits with 130 and a clean terminal", async () => {
    const c = new PtyChat(["--brokers", brokers]);
    await c.untilText("Chat room");
    c.type("\x03");
    expect(await c.exited()).toBe(130);
    expect(c.screen.modes().cursorHidden).toBe(false);
  });

  test("an unreachable broker: one clear line, exit 1, terminal restored", async () => {
    const c = new PtyChat(["--room", "nowhere", "--user", "me", "--brokers", "127.0.0.1:1"], {
      cols: 120,
      rows: 10,
    });
    expect(await c.exited()).toBe(1);
    expect(c.screen.altScreen()).toBe(false);
    expect(c.text()).toContain("cannot reach Kafka at 127.0.0.1:1 (connection refused)");
    expect(c.text()).not.toContain("    at ");
  });
});
