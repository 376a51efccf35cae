/**
 * `dchat rooms` against the real broker: rooms created by `dchat send` (one with a Hangul name
 * and 2 partitions), records written by librdkafka, the listing read back as JSON and as a table.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { roomToTopic } from "../lib/rooms.ts";
import { roomsTable } from "../lib/rooms-command.ts";
import { brokerAddress, uniqueName } from "./support/broker.ts";
import { produceValues } from "./support/client.ts";
import { runDchat } from "./support/dchat.ts";

let brokers = "";
beforeAll(async () => {
  brokers = await brokerAddress();
});

interface Listed {
  room: string;
  topic: string;
  partitions: number;
  retained: number;
  lastActivity: string | null;
}

describe("dchat rooms", () => {
  test("lists rooms by their human names with partitions, messages retained and last activity", async () => {
    const hangul = `${uniqueName("방")} 회의실`;
    const plain = uniqueName("rooms-plain");
    const before = Date.now();
    const sent = await runDchat(
      ["send", "--room", hangul, "--user", "kim", "--partitions", "2", "--brokers", brokers],
      { stdin: "하나\n둘\n셋\n" },
    );
    expect(sent.code).toBe(0);
    expect(
      (await runDchat(["send", "--room", plain, "--user", "lee", "--brokers", brokers, "hi"])).code,
    ).toBe(0);
    produceValues(brokers, plain, ["not json at all"]);

    const json = await runDchat(["rooms", "--json", "--brokers", brokers]);
    expect(json.code).toBe(0);
    const rooms = JSON.parse(json.stdout) as Listed[];
    const mine = rooms.filter((r) => r.room === hangul || r.room === plain);
    expect(
      mine.map(({ lastActivity, ...rest }) => rest).sort((a, b) => a.topic.localeCompare(b.topic)),
    ).toEqual(
      [
        { room: hangul, topic: roomToTopic(hangul) as string, partitions: 2, retained: 3 },
        { room: plain, topic: plain, partitions: 1, retained: 2 },
      ].sort((a, b) => a.topic.localeCompare(b.topic)),
    );
    for (const room of mine) {
      const at = Date.parse(room.lastActivity ?? "");
      expect(at).toBeGreaterThanOrEqual(before - 1000);
      expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    }
    expect(rooms.some((r) => r.topic.startsWith("_"))).toBe(false);

    const table = await runDchat(["rooms", "--brokers", brokers]);
    expect(table.code).toBe(0);
    const [header, ...lines] = table.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ROOM +PARTITIONS {2}MESSAGES {2}LAST ACTIVITY$/);
    const row = lines.find((l) => l.startsWith(hangul));
    expect(row).toMatch(new RegExp(`^${hangul} +2 +3  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`));
  });

  test("an unreachable broker is one line and exit 1", async () => {
    const result = await runDchat(["rooms", "--brokers", "127.0.0.1:1"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("roomsTable", () => {
  test("columns line up in display cells (Hangul is 2 wide); hostile names are shown harmless", () => {
    const at = new Date(2024, 7, 26, 11, 30);
    const table = roomsTable([
      { room: "팀2 회의실", topic: "dchat.u.x", partitions: 1, retained: 12, lastActivity: at },
      { room: "ops\u001b[2J", topic: "dchat.u.y", partitions: 3, retained: 4, lastActivity: null },
    ]);
    expect(table.split("\n")).toEqual([
      "ROOM        PARTITIONS  MESSAGES  LAST ACTIVITY",
      "팀2 회의실           1        12  2024-08-26 11:30",
      "ops␛[2J              3         4  —",
    ]);
  });
});
