import { expect, test } from "bun:test";
import { isLevel, jsonLogger } from "./log.ts";

test("one JSON object per line, below the level dropped", () => {
  const lines: string[] = [];
  const log = jsonLogger(
    (line) => lines.push(line),
    "info",
    () => new Date("2024-08-26T02:26:28.670Z"),
  );
  log("debug", "noise");
  log("info", "answer", { room: "팀2", latencyMs: 12, reply: "줄\n바꿈" });
  log("error", "session-failed");
  expect(lines).toEqual([
    '{"time":"2024-08-26T02:26:28.670Z","level":"info","event":"answer","room":"팀2","latencyMs":12,"reply":"줄\\n바꿈"}\n',
    '{"time":"2024-08-26T02:26:28.670Z","level":"error","event":"session-failed"}\n',
  ]);
});

test("isLevel", () => {
  expect(["debug", "info", "warn", "error"].every(isLevel)).toBe(true);
  expect(isLevel("verbose")).toBe(false);
});
