/**
 * Several rooms in one `dchat chat` session, end to end: the compiled binary in a pseudo-terminal
 * against the real broker, another client in another terminal, and the topics read back with
 * librdkafka (test/support/client.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { roomToTopic } from "../../lib/rooms.ts";
import { brokerAddress, uniqueName } from "../support/broker.ts";
import { produceValues, readValues } from "../support/client.ts";
import { runDchat } from "../support/dchat.ts";
import { PtyChat } from "./pty.ts";

let brokers = "";
beforeAll(async () => {
  brokers = await brokerAddress();
});

const clients: PtyChat[] = [];
afterAll(() => {
  for (const client of clients) client.proc.kill("SIGKILL");
});

function chat(args: string[], env: Record<string, string> = {}): PtyChat {
  const client = new PtyChat([...args, "--brokers", brokers], { cols: 80, rows: 16 }, env);
  clients.push(client);
  return client;
}

const records = (room: string) =>
  readValues(brokers, roomToTopic(room) as string).map(
    (v) => JSON.parse(v) as { sender: string; message: string; end: boolean },
  );

const statusRow = (c: PtyChat) => c.screen.row(12);

describe("dchat chat with several rooms", () => {
  test("rooms bar, a mention elsewhere (bell, notification, @), Alt-a, /join, /who, Tab, /part, exit leaves all", async () => {
    const base = uniqueName("rooms");
    const [r1, r2, r3] = [`${base}-a`, `${base}-팀2`, `${base}-c`];
    const a = chat(["--room", `${r1},${r2}`, "--user", "민수", "--notify", "osc777"]);
    // Our join record, read back in room 1 (shown) and counted as activity in room 2.
    await a.untilText("User [민수] has entered the chat!");
    await a.until("the join in room 2", () => statusRow(a).includes(`[1:#${r1}] 2:#${r2}(·)`));
    const b = chat(["--room", r2, "--user", "alex"]);
    await b.untilText("User [alex] has entered the chat!");
    b.type("민수야 회의 들어와\r");
    await a.until("the mention in the bar", () => statusRow(a).includes(`2:#${r2}(1@)`));
    await a.until("the bell", (s) => s.bells > 0);
    expect(a.screen.notifications).toEqual([`777;notify;dchat #${r2};alex: 민수야 회의 들어와`]);
    expect(a.text()).not.toContain("회의 들어와");

    a.type("\x1ba");
    await a.untilText("alex: 민수야 회의 들어와");
    expect(statusRow(a)).toContain(`1:#${r1} [2:#${r2}]`);

    // One mention, one bell (checked after the screen has moved on since).
    expect(a.screen.bells).toBe(1);
    a.type("al\t");
    await a.until(
      "the name completed, `: ` after it, the caret after that",
      (s) => s.row(13).trimEnd() === "YOU: alex:" && s.cursor().col === "YOU: alex: ".length,
    );
    a.type("봤어요\r");
    await b.untilText("민수: alex: 봤어요");

    a.type("/who\r");
    await a.untilText("in #");
    expect(a.text()).toMatch(/alex \(joined \d\d:\d\d\)|alex \(spoke \d\d:\d\d\)/);

    a.type(`/join ${r3}\r`);
    await a.untilText(`[3:#${r3}]`);
    await a.untilText("User [민수] has entered the chat!");
    a.type("/part\r");
    await a.until("the leave record in room 3", () => records(r3).some((r) => r.end && r.sender === "민수"));
    await a.until("room 3 gone from the bar", () => !statusRow(a).includes(`#${r3}`));

    a.type("/nope\r");
    await a.until("the unknown command on the status line", () =>
      statusRow(a).includes("unknown command /nope"),
    );
    a.type("//nope\r");
    await b.untilText("민수: /nope");

    a.type("exit\r");
    expect(await a.exited()).toBe(0);
    for (const room of [r1, r2]) {
      const leave = records(room).filter((r) => r.end);
      expect(leave).toEqual([
        {
          sender: "민수",
          message: "\nUser [민수] has exited the chatroom.",
          end: true,
          timestamp: expect.any(String),
        } as never,
      ]);
    }
    // Commands never reach the room; `//nope` sent `/nope` once, literally.
    const said = records(r2).map((r) => r.message);
    expect(said.filter((m) => m.startsWith("/"))).toEqual(["/nope"]);
    b.type("exit\r");
    expect(await b.exited()).toBe(0);
  });

  test("Ctrl-R finds an old message in a long room and highlights it; Esc returns to the newest", async () => {
    const room = uniqueName("search");
    const topic = roomToTopic(room) as string;
    const stamp = "2024-08-26T11:30:00.000001";
    const values = Array.from({ length: 120 }, (_, i) =>
      JSON.stringify({
        sender: "kim",
        message: i === 7 ? "바늘 needle 여기" : `hay ${i}`,
        end: false,
        timestamp: stamp,
      }),
    );
    // A topic with the history already in it: created by a first client, filled by librdkafka.
    const first = chat(["--room", room, "--user", "setup", "--history", "0"]);
    await first.untilText("● connected");
    first.type("exit\r");
    await first.exited();
    produceValues(brokers, topic, values);
    const c = chat(["--room", room, "--user", "민수", "--history", "200"]);
    await c.untilText("kim: hay 119");
    c.type("\x12NEEDLE");
    await c.untilText("kim: 바늘 needle 여기");
    expect(statusRow(c)).toContain("search: NEEDLE");
    c.type("\x1b");
    await c.until(
      "back at the newest",
      (s) => s.rows().join("\n").includes("hay 119") && !s.rows().join("\n").includes("바늘"),
    );
    c.type("exit\r");
    expect(await c.exited()).toBe(0);
  });

  test("without --room, the rooms that exist are listed above the prompt, most recent first", async () => {
    const existing = `${uniqueName("있는방")} 회의`;
    const sent = await runDchat(["send", "--room", existing, "--user", "kim", "--brokers", brokers, "hi"]);
    expect(sent.code).toBe(0);
    const c = new PtyChat(["--user", "민수", "--brokers", brokers], { cols: 80, rows: 30 });
    clients.push(c);
    await c.untilText("Chat room");
    const screen = c.screen.rows();
    const title = screen.findIndex((row) => row.includes("Rooms on the cluster, most recent first"));
    expect(title).toBeGreaterThanOrEqual(0);
    // The shared broker is busy (other tests, benchmarks): our room may be past the first 8.
    const listed = screen
      .slice(title + 2)
      .map((row) => /^│ {2}(.*?) *│$/.exec(row)?.[1] ?? "")
      .filter((name) => name !== "" && !name.startsWith("… and"));
    expect(listed.length).toBeGreaterThan(0);
    const known = JSON.parse((await runDchat(["rooms", "--json", "--brokers", brokers])).stdout) as {
      room: string;
    }[];
    for (const name of listed) expect(known.map((r) => r.room)).toContain(name);
    expect(
      listed.includes(existing) || screen.some((row) => /… and \d+ more \(dchat rooms\)/.test(row)),
    ).toBe(true);
    c.type(`${existing}\r`);
    await c.untilText(`#${existing} · 민수`);
    await c.untilText("kim: hi");
    c.type("exit\r");
    expect(await c.exited()).toBe(0);
  });

  test("without a terminal: /who and /help print, //text sends /text, an unknown /x is never sent", async () => {
    const room = uniqueName("plain-cmd");
    const result = await runDchat(
      ["chat", "--room", room, "--user", "파이프", "--history", "0", "--brokers", brokers],
      {
        stdin: "/who\n//literal\n/nope\n/help\nhello\n",
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`in #${room}:`);
    expect(result.stdout).toContain("line mode: each line is sent (to the room joined last); exit leaves.");
    expect(result.stderr).toBe(
      "dchat chat: unknown command /nope (nothing sent; /help lists the commands)\n",
    );
    expect(records(room).map((r) => r.message)).toEqual([
      "User [파이프] has entered the chat!\n",
      "/literal",
      "hello",
      "\nUser [파이프] has exited the chatroom.",
    ]);
  });

  test("without a terminal: /join and /part change rooms, lines go to the room joined last, each printed line names its room", async () => {
    const base = uniqueName("plain-rooms");
    const [r1, r2, r3] = [`${base}-1`, `${base}-둘`, `${base}-3`];
    for (const room of [r2, r3]) {
      const sent = await runDchat([
        "send",
        "--room",
        room,
        "--user",
        "kim",
        "--brokers",
        brokers,
        `before in ${room}`,
      ]);
      expect(sent.code).toBe(0);
    }
    const result = await runDchat(
      ["chat", "--room", `${r1},${r2}`, "--user", "파이프", "--history", "5", "--brokers", brokers],
      { stdin: `in two\n/join ${r3}\nin three\n/part\n/part\nin one\n/part ${r1}\n` },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `dchat chat: /part: #${r1} is the room line mode started in: exit (or the end of input) leaves it\n`,
    );
    const said = (room: string) => records(room).map((r) => r.message);
    const join = "User [파이프] has entered the chat!\n";
    const leave = "\nUser [파이프] has exited the chatroom.";
    expect(said(r1)).toEqual([join, "in one", leave]);
    expect(said(r2)).toEqual([`before in ${r2}`, join, "in two", leave]);
    expect(said(r3)).toEqual([`before in ${r3}`, join, "in three", leave]);
    // A room's history is printed before its join record is sent, so these lines are certain.
    const lines = result.stdout.trimEnd().split("\n");
    for (const room of [r2, r3])
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^#${room} \\d\\d:\\d\\d kim: before in ${room}$`)),
      );
    for (const line of lines) expect([r1, r2, r3].some((room) => line.startsWith(`#${room} `))).toBe(true);
  });
});
