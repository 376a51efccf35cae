import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { brokerAddress, uniqueName } from "./support/broker.ts";
import { readRecords, readValues, topicPartitions } from "./support/client.ts";
import { runDchat } from "./support/dchat.ts";

function pythonLoads(lines: string[]): unknown[] {
  const script = "import json,sys\nprint(json.dumps([json.loads(l) for l in sys.stdin.read().splitlines()]))";
  const result = spawnSync("python3", ["-c", script], { input: lines.join("\n"), encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

describe("dchat send against the real broker", () => {
  test("a message from arguments is acknowledged and librdkafka reads the original wire format", async () => {
    const brokers = await brokerAddress();
    const room = uniqueName("send-args");
    const result = await runDchat([
      "send",
      "--brokers",
      brokers,
      "--room",
      room,
      "--user",
      "[bot]",
      "미팅시간",
      "5분",
      "전입니다",
    ]);
    expect(result).toMatchObject({ code: 0, stderr: "" });

    const values = readValues(brokers, room);
    expect(values).toHaveLength(1);
    const value = values[0] ?? "";
    expect(value).toMatch(
      /^\{"sender": "\[bot\]", "message": "\\ubbf8\\ud305[^"]*", "end": false, "timestamp": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?"\}$/,
    );
    const [decoded] = pythonLoads(values) as Record<string, unknown>[];
    expect(decoded).toMatchObject({ sender: "[bot]", message: "미팅시간 5분 전입니다", end: false });
    expect(Object.keys(decoded ?? {})).toEqual(["sender", "message", "end", "timestamp"]);
  });

  test("each stdin line becomes one record, in order, empty lines skipped", async () => {
    const brokers = await brokerAddress();
    const room = uniqueName("send-stdin");
    const lines = Array.from({ length: 2500 }, (_, i) => `line ${i} 한글 😀`);
    const result = await runDchat(["send", "--brokers", brokers, "--room", room, "--user", "script"], {
      stdin: `${lines.slice(0, 10).join("\n")}\n\n${lines.slice(10).join("\r\n")}\n`,
    });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const messages = pythonLoads(readValues(brokers, room)).map((r) => (r as { message: string }).message);
    expect(messages).toEqual(lines);
  });

  test("records are keyed by the sender: in a room of several partitions one sender's lines stay in order", async () => {
    const brokers = await brokerAddress();
    const room = uniqueName("send-keyed");
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    for (const user of ["민수", "jane"]) {
      const result = await runDchat(
        ["send", "--brokers", brokers, "--room", room, "--user", user, "--partitions", "4"],
        { stdin: `${lines.join("\n")}\n` },
      );
      expect(result).toMatchObject({ code: 0, stderr: "" });
    }
    const records = readRecords(brokers, room);
    for (const user of ["민수", "jane"]) {
      const mine = records.filter((r) => r.key === user);
      expect(mine).toHaveLength(30);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.map((r) => (JSON.parse(r.value) as { message: string }).message)).toEqual(lines);
    }
  });

  test("regression: a backlog of stdin lines larger than the broker's request limit is sent in pieces", async () => {
    const brokers = await brokerAddress();
    const room = uniqueName("send-backlog");
    // 20,000 records of ~150 B: 3 MB, three times the broker's default message.max.bytes.
    const lines = Array.from({ length: 20_000 }, (_, i) => `${i} ${"채팅 메시지 ".repeat(6)}`);
    const result = await runDchat(["send", "--brokers", brokers, "--room", room, "--user", "u"], {
      stdin: `${lines.join("\n")}\n`,
    });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(readValues(brokers, room)).toHaveLength(lines.length);
  });

  test("a line too long for one record is one line naming it, exit 1", async () => {
    const brokers = await brokerAddress();
    const result = await runDchat(
      ["send", "--brokers", brokers, "--room", uniqueName("send-long"), "--user", "u"],
      {
        stdin: `short\n${"x".repeat(1_100_000)}\n`,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^dchat send: line 2 is too long: \d+ bytes as a record, at most 1048576\n$/,
    );
  });

  test("a Hangul room name maps to its reversible topic, created with the partitions asked for", async () => {
    const brokers = await brokerAddress();
    const room = `팀 회의실 ${crypto.randomUUID().slice(0, 6)}`;
    const result = await runDchat([
      "send",
      "--brokers",
      brokers,
      "--room",
      room,
      "--user",
      "민수",
      "--partitions",
      "3",
      "안녕",
    ]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const topic = `dchat.u.${Buffer.from(room, "utf8").toString("base64url")}`;
    expect(topicPartitions(brokers, topic)).toBe(3);
    expect(pythonLoads(readValues(brokers, topic))).toMatchObject([{ sender: "민수", message: "안녕" }]);
  });

  test("an unreachable broker is one line naming it, exit 1, no stack trace", async () => {
    const result = await runDchat(["send", "--brokers", "127.0.0.1:1", "--room", "r", "--user", "u", "hi"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("cannot reach Kafka at 127.0.0.1:1");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  test("the broker list comes from DCHAT_BROKERS when no flag is given", async () => {
    const result = await runDchat(["send", "--room", "r", "--user", "u", "hi"], {
      env: { DCHAT_BROKERS: "127.0.0.1:1" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("127.0.0.1:1");
  });
});
