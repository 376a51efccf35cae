import { expect, test } from "bun:test";
import { dataFileName, hiveDir, hiveValue, parseDataFileName } from "./files.ts";

test("file names are a reversible pure function of topic, partition and offset range", () => {
  const range = { topic: "dchat.u.7YyAMiDtmozsnZjsi6Q", partition: 2, first: 40, last: 1_234_567 };
  const name = dataFileName(range);
  expect(name).toBe("dchat.u.7YyAMiDtmozsnZjsi6Q+2+00000000000000000040+00000000000001234567.parquet");
  expect(parseDataFileName(name)).toEqual(range);
  expect(parseDataFileName(`${name}.tmp`)).toBeNull();
  expect(parseDataFileName("part-00000-19df.snappy.parquet")).toBeNull();
});

test("Hive directory values escape what Spark escapes and keep Hangul readable", () => {
  expect(hiveDir("room", "팀2 회의실")).toBe("room=팀2 회의실");
  expect(hiveDir("room", "a/b=c%")).toBe("room=a%2Fb%3Dc%25");
  for (const value of ["팀2 회의실", "a/b=c%", "..", "x:y?z#"]) {
    expect(hiveValue("room", hiveDir("room", value))).toBe(value);
  }
});
