import { expect, test } from "bun:test";
import type { Message } from "../audit/read.ts";
import { finish, gather, startGathering, unitFor } from "./aggregate.ts";

const at = (iso: string) => Date.parse(`${iso}Z`) * 1000;
const message = (iso: string, sender = "민수", room: string | null = "팀2"): Message => ({
  room,
  sender,
  message: "안녕 회의",
  localMicros: at(iso),
});

function report(messages: Message[]) {
  const g = startGathering();
  for (const m of messages) gather(g, m);
  return finish(g, { users: 10, words: 100 });
}

test("the unit follows the span: minutes to 6 h, hours to 14 days, days to 3 years, then months, then years", () => {
  expect(unitFor(6 * 60)).toBe("minute");
  expect(unitFor(6 * 60 + 1)).toBe("hour");
  expect(unitFor(14 * 1440)).toBe("hour");
  expect(unitFor(14 * 1440 + 1)).toBe("day");
  expect(unitFor(3 * 366 * 1440 + 1)).toBe("month");
  expect(unitFor(100 * 366 * 1440 + 1)).toBe("year");
});

test("every unit between the first and last message is a point, empty ones as 0", () => {
  const data = report([
    message("2024-08-26T10:00:59"),
    message("2024-08-26T10:03:00"),
    message("2024-08-26T10:03:30"),
  ]);
  expect(data.timeline).toEqual({
    unit: "minute",
    points: [
      ["2024-08-26 10:00", 1],
      ["2024-08-26 10:01", 0],
      ["2024-08-26 10:02", 0],
      ["2024-08-26 10:03", 2],
    ],
  });
  expect([data.first, data.last]).toEqual(["2024-08-26 10:00", "2024-08-26 10:03"]);
});

test("hours and days are labelled by their start", () => {
  const hours = report([message("2024-08-26T10:59:00"), message("2024-08-27T01:00:00")]).timeline;
  expect(hours.unit).toBe("hour");
  expect(hours.points[0]).toEqual(["2024-08-26 10:00", 1]);
  expect(hours.points.at(-1)).toEqual(["2024-08-27 01:00", 1]);
  expect(hours.points).toHaveLength(16);
  const days = report([message("2024-08-01T23:59:00"), message("2024-09-30T00:00:00")]).timeline;
  expect(days.unit).toBe("day");
  expect(days.points).toHaveLength(61);
});

test("a sender's clock claiming year 0099 or 9999 gives a timeline of years, not millions of days", () => {
  const data = report([
    message("0099-01-01T00:00:00"),
    message("2024-08-26T10:00:00"),
    message("9999-12-31T23:59:00"),
  ]);
  expect(data.timeline.unit).toBe("year");
  expect(data.timeline.points).toHaveLength(9999 - 99 + 1);
  expect(data.timeline.points[0]).toEqual(["0099", 1]);
  expect(data.timeline.points.find(([year]) => year === "2024")).toEqual(["2024", 1]);
  expect(data.timeline.points.at(-1)).toEqual(["9999", 1]);
  const months = report([message("2020-01-15T00:00:00"), message("2024-08-26T10:00:00")]).timeline;
  expect(months.unit).toBe("month");
  expect(months.points[0]).toEqual(["2020-01", 1]);
  expect(months.points.at(-1)).toEqual(["2024-08", 1]);
  expect(months.points).toHaveLength(12 * 4 + 8);
});

test("rooms: messages and distinct senders, busiest first; an archive without rooms is one null room", () => {
  const data = report([
    message("2024-08-26T10:00:00", "a", "x"),
    message("2024-08-26T10:00:00", "b", "y"),
    message("2024-08-26T10:00:00", "b", "y"),
    message("2024-08-26T10:00:00", "c", null),
  ]);
  expect(data.rooms).toEqual([
    { room: "y", messages: 2, senders: 1 },
    { room: null, messages: 1, senders: 1 },
    { room: "x", messages: 1, senders: 1 },
  ]);
  expect([data.messages, data.senders]).toEqual([4, 3]);
});

test("an empty selection is an empty report, not an error", () => {
  const data = report([]);
  expect(data).toMatchObject({ messages: 0, first: null, last: null, rooms: [], timeline: { points: [] } });
});
