import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ExitCode, isUserError } from "./errors.ts";
import { isInternalTopic, roomToTopic, topicToRoom } from "./rooms.ts";

const LEGAL_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const normalized = (room: string) => room.normalize("NFC").trim();
const usable = (name: string) =>
  name !== "" &&
  !/[\u0000-\u001f\u007f-\u009f]/.test(name) &&
  name.isWellFormed() &&
  Buffer.byteLength(name, "utf8") <= 180;

function topicOf(room: string): string {
  const topic = roomToTopic(room);
  if (isUserError(topic))
    throw new Error(`unexpected UserError for ${JSON.stringify(room)}: ${topic.message}`);
  return topic;
}

function refusal(room: string): string {
  const topic = roomToTopic(room);
  if (!isUserError(topic)) throw new Error(`expected a UserError for ${JSON.stringify(room)}, got ${topic}`);
  expect(topic.exitCode).toBe(ExitCode.Usage);
  return topic.message;
}

const roomNames = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom("a", "Z", "9", ".", "_", "-", " ", "팀", "회", "😀", "e\u0301", "é"),
    maxLength: 60,
  }),
  fc.string({ unit: fc.constantFrom("a", "."), maxLength: 3 }).map((tail) => `dchat.u.${tail}`),
);

describe("roomToTopic", () => {
  test("legal topic names are the topic itself, so the Python clients share the room", () => {
    expect(topicOf("general")).toBe("general");
    expect(topicOf("chat-room_1.v2")).toBe("chat-room_1.v2");
    expect(topicOf("  general \n")).toBe("general");
    expect(topicOf("a".repeat(249))).toBe("a".repeat(249));
  });

  test("Hangul, spaces and emoji are encoded reversibly", () => {
    expect(topicOf("팀2 회의실")).toBe("dchat.u.7YyAMiDtmozsnZjsi6Q");
    expect(topicToRoom("dchat.u.7YyAMiDtmozsnZjsi6Q")).toBe("팀2 회의실");
    expect(topicOf("my room")).toBe(`dchat.u.${Buffer.from("my room").toString("base64url")}`);
    const emoji = topicOf("🎬 movies");
    expect(emoji).toMatch(LEGAL_TOPIC);
    expect(topicToRoom(emoji)).toBe("🎬 movies");
  });

  test("decomposed Hangul (as macOS sends it) is the same room as precomposed", () => {
    expect(topicOf("회의실".normalize("NFD"))).toBe(topicOf("회의실"));
  });

  test("'.' and '..' are not legal topics and are encoded", () => {
    expect(topicOf(".")).toBe("dchat.u.Lg");
    expect(topicOf("..")).toBe("dchat.u.Li4");
    expect(topicToRoom("dchat.u.Lg")).toBe(".");
  });

  test("a name using the reserved prefix is encoded, so it cannot collide with an encoded room", () => {
    const topic = topicOf("dchat.u.7YyAMiDtmozsnZjsi6Q");
    expect(topic).not.toBe("dchat.u.7YyAMiDtmozsnZjsi6Q");
    expect(topicToRoom(topic)).toBe("dchat.u.7YyAMiDtmozsnZjsi6Q");
  });

  test("a 250-character name is refused with the byte limit", () => {
    expect(refusal("a".repeat(250))).toBe(
      "room name is too long: at most 180 bytes of UTF-8 (this one has 250); choose a shorter name",
    );
    expect(topicOf("팀".repeat(60))).toHaveLength(248);
    expect(refusal("팀".repeat(61))).toContain("at most 180 bytes");
  });

  test("empty names and control characters are refused", () => {
    expect(refusal("")).toContain("room name is empty");
    expect(refusal(" \t\n")).toContain("room name is empty");
    expect(refusal("a\x1b[2Jb")).toContain("control characters");
    expect(refusal("a\x7fb")).toContain("control characters");
    expect(refusal("a\x9bb")).toContain("control characters");
    expect(refusal("a\ud800b")).toContain("not valid Unicode");
  });

  test("property: every usable name maps to a legal topic and back to its normalized form", () => {
    fc.assert(
      fc.property(roomNames, (room) => {
        const name = normalized(room);
        fc.pre(usable(name));
        const topic = topicOf(room);
        expect(topic).toMatch(LEGAL_TOPIC);
        expect(topic === "." || topic === "..").toBe(false);
        expect(topicToRoom(topic)).toBe(name);
      }),
      { numRuns: 1000 },
    );
  });

  test("property: distinct normalized names map to distinct topics", () => {
    fc.assert(
      fc.property(roomNames, roomNames, (a, b) => {
        fc.pre(usable(normalized(a)) && usable(normalized(b)) && normalized(a) !== normalized(b));
        expect(topicOf(a)).not.toBe(topicOf(b));
      }),
      { numRuns: 1000 },
    );
  });

  test("property: legal plain names map to themselves", () => {
    const plain = fc
      .string({ unit: fc.constantFrom(..."abcXYZ019._-"), minLength: 1, maxLength: 249 })
      .filter((name) => name !== "." && name !== ".." && !name.startsWith("dchat.u."));
    fc.assert(
      fc.property(plain, (name) => {
        expect(topicOf(name)).toBe(name);
        expect(topicToRoom(name)).toBe(name);
      }),
    );
  });
});

describe("topicToRoom", () => {
  test("topics that are not dchat's encoding are shown as themselves", () => {
    for (const topic of [
      "general",
      "dchat.u.",
      "dchat.u.!!",
      "dchat.u.YWJj", // "abc": a legal name is never encoded, so this is not our topic
      "dchat.u.Lh", // non-canonical trailing bits of "."
      "dchat.u._w", // byte 0xff: not UTF-8
      "dchat.u.A", // impossible base64 length
    ]) {
      expect(topicToRoom(topic)).toBe(topic);
    }
  });
});

describe("isInternalTopic", () => {
  test("Kafka's and tools' own topics start with an underscore", () => {
    expect(isInternalTopic("__consumer_offsets")).toBe(true);
    expect(isInternalTopic("__transaction_state")).toBe(true);
    expect(isInternalTopic("_schemas")).toBe(true);
    expect(isInternalTopic("general")).toBe(false);
    expect(isInternalTopic("dchat.u.7YyAMiDtmozsnZjsi6Q")).toBe(false);
  });
});
