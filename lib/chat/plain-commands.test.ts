import { describe, expect, test } from "bun:test";
import { decode, encode, joinRecord } from "../wire.ts";
import { lineAction, PLAIN_HELP } from "./plain-commands.ts";
import { seen } from "./presence.ts";

const now = new Date(2024, 7, 26, 11, 30);

describe("line mode commands", () => {
  test("plain lines are sent; //text sends /text; commands are never sent", () => {
    expect(lineAction("안녕 /who", "r", [], now)).toEqual({ type: "send", text: "안녕 /who" });
    expect(lineAction("//who", "r", [], now)).toEqual({ type: "send", text: "/who" });
    expect(lineAction("/help", "r", [], now)).toEqual({ type: "print", lines: PLAIN_HELP });
    expect(lineAction("/x\u001b[2J", "r", [], now)).toEqual({
      type: "error",
      message: "unknown command /x␛[2J (nothing sent; /help lists the commands)",
    });
    expect(lineAction("/join 팀2 회의실 ", "r", [], now)).toEqual({ type: "join", room: "팀2 회의실" });
    expect(lineAction("/join", "r", [], now).type).toBe("error");
    expect(lineAction("/join a\u0007b", "r", [], now)).toEqual({
      type: "error",
      message: "/join: room name contains control characters: type the room name as plain text",
    });
    expect(lineAction("/part", "r", [], now)).toEqual({ type: "part", room: undefined });
    expect(lineAction("/leave ops", "r", [], now)).toEqual({ type: "part", room: "ops" });
  });

  test("/who lists who joined and did not leave", () => {
    const people = seen([], [decode(encode(joinRecord("민지", new Date(2024, 7, 26, 11, 0))), 0)]);
    expect(lineAction("/who", "팀2", people, now)).toEqual({
      type: "print",
      lines: ["in #팀2: 민지 (joined 11:00)"],
    });
  });
});
