import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import {
  BOT_SENDER,
  type ChatRecord,
  decode,
  encode,
  INFO_SENDER,
  joinRecord,
  LEAVE_HINT,
  leaveRecord,
  MAX_RECORD_BYTES,
  type Problem,
  parseTimestamp,
  pythonIsoformat,
  textRecord,
} from "./wire.ts";

const KAFKA_MS = Date.UTC(2024, 7, 26, 2, 0, 0);
const bytes = (text: string) => new TextEncoder().encode(text);

/** Runs `body` with the process in another time zone, so "local time" is not silently UTC. */
function inZone(zone: string, body: () => void) {
  const saved = process.env.TZ;
  process.env.TZ = zone;
  try {
    body();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

/** Runs a Python program once over many input lines; each input line yields one output line. */
function python(program: string, lines: string[]): string[] {
  if (Bun.which("python3") === null)
    throw new Error("python3 is missing: Python 3.10+ is a prerequisite (README)");
  const result = Bun.spawnSync(["python3", "-c", program], { stdin: Buffer.from(`${lines.join("\n")}\n`) });
  expect(result.stderr.toString()).toBe("");
  expect(result.exitCode).toBe(0);
  return result.stdout.toString().split("\n").slice(0, -1);
}

// Fragments that stress the escaping: Python's short escapes, DEL, C1, lone and paired surrogates.
const tricky = fc.string({
  unit: fc.constantFrom(
    "\\",
    '"',
    "/",
    "\n",
    "\r",
    "\t",
    "\b",
    "\f",
    "\x00",
    "\x1b",
    "\x1f",
    " ",
    "~",
    "\x7f",
    "\x80",
    "\x9b",
    "é",
    "한",
    "😀",
    "\u2028",
    "\ufeff",
    "\uffff",
    "\ud800",
    "\udfff",
    "\ude00\ud83d",
  ),
});
const text = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), tricky);
const record = fc.record({ sender: text, message: text, end: fc.boolean(), timestamp: text });

describe("encode", () => {
  test("writes Python's json.dumps layout and escapes", () => {
    const out = encode({ sender: "a/b", message: 'q"\\\n\x7f한😀\ud800', end: true, timestamp: "" });
    expect(out.toString("latin1")).toBe(
      '{"sender": "a/b", "message": "q\\"\\\\\\n\\u007f\\ud55c\\ud83d\\ude00\\ud800", "end": true, "timestamp": ""}',
    );
  });

  test("is byte-identical to Python json.dumps, which reads it back unchanged", () => {
    const samples: ChatRecord[] = [
      { sender: "[INFO]", message: "User [user1] has entered the chat!\n", end: false, timestamp: "x" },
      { sender: "", message: "", end: true, timestamp: "" },
      { sender: "\x00\x1f\x7f\x80\x9f", message: "\u2028\u2029\ufeff", end: false, timestamp: "\ud83d" },
      ...fc.sample(record, 400),
    ];
    // The input goes to Python through JSON.stringify, so Python's output is checked against
    // an encoder that is not ours; json.loads of our bytes must give back the same four fields.
    const program = [
      "import sys, json",
      "for line in sys.stdin.buffer:",
      "    sender, message, end, timestamp, ours = json.loads(line)",
      '    d = {"sender": sender, "message": message, "end": end, "timestamp": timestamp}',
      "    back = json.loads(ours)",
      "    print(json.dumps([json.dumps(d), back == d and list(back) == list(d)]))",
    ].join("\n");
    const ours = samples.map((r) => encode(r).toString("latin1"));
    const lines = samples.map((r, i) => JSON.stringify([r.sender, r.message, r.end, r.timestamp, ours[i]]));
    const answers = python(program, lines).map((line) => JSON.parse(line) as [string, boolean]);
    expect(answers.length).toBe(samples.length);
    const mismatches = samples.flatMap((r, i) =>
      answers[i]?.[0] === ours[i] && answers[i]?.[1] === true
        ? []
        : [{ record: r, ours: ours[i], python: answers[i] }],
    );
    expect(mismatches).toEqual([]);
  });
});

describe("decode", () => {
  const fixture = readFileSync(new URL("../test/fixtures/seed-chat/messages.jsonl", import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line !== "");

  test("decodes every record of the original chat exactly and re-encodes it byte for byte", () => {
    expect(fixture.length).toBe(122);
    for (const line of fixture) {
      const decoded = decode(bytes(line), KAFKA_MS);
      if (!decoded.ok) throw new Error(`${decoded.problem}: ${line}`);
      expect(decoded.record).toEqual(JSON.parse(line));
      expect(decoded.timeSource).toBe("record");
      expect(decoded.time).toEqual(parseTimestamp(decoded.record.timestamp) as Date);
      expect(encode(decoded.record).toString("utf8")).toBe(line);
    }
  });

  function expectProblem(value: Uint8Array | null, problem: Problem, detail?: string) {
    const decoded = decode(value, KAFKA_MS);
    if (decoded.ok) throw new Error(`expected ${problem}, decoded ok`);
    expect(decoded.problem).toBe(problem);
    if (detail !== undefined) expect(decoded.detail).toBe(detail);
    expect(decoded.raw).toEqual(value ?? new Uint8Array(0));
    expect(decoded.time.getTime()).toBe(KAFKA_MS);
  }

  test("empty: null value and zero bytes", () => {
    expectProblem(null, "empty");
    expectProblem(new Uint8Array(0), "empty");
  });

  test("too-large: one byte over MAX_RECORD_BYTES, while exactly the limit still decodes", () => {
    const base: ChatRecord = { sender: "big", message: "", end: false, timestamp: "" };
    const overhead = encode(base).byteLength;
    const atLimit = encode({ ...base, message: "x".repeat(MAX_RECORD_BYTES - overhead) });
    expect(atLimit.byteLength).toBe(MAX_RECORD_BYTES);
    expect(decode(atLimit, KAFKA_MS).ok).toBe(true);
    const over = encode({ ...base, message: "x".repeat(MAX_RECORD_BYTES - overhead + 1) });
    expectProblem(over, "too-large");
  });

  test("invalid-utf8: a stray 0xff byte inside a string", () => {
    const value = Buffer.concat([
      bytes('{"sender": "a", "message": "'),
      Buffer.from([0xff]),
      bytes('", "end": false}'),
    ]);
    expectProblem(value, "invalid-utf8");
  });

  test("not-json: plain text and truncated JSON", () => {
    expectProblem(bytes("hello"), "not-json");
    expectProblem(bytes('{"sender": "a", "message": '), "not-json");
  });

  test("not-object: arrays, strings, numbers and null", () => {
    expectProblem(bytes("[1, 2]"), "not-object", "record is an array, expected a JSON object");
    expectProblem(bytes('"hi"'), "not-object", "record is a string, expected a JSON object");
    expectProblem(bytes("42"), "not-object");
    expectProblem(bytes("null"), "not-object", "record is null, expected a JSON object");
  });

  test("bad-field: the detail names the field and the type found", () => {
    expectProblem(
      bytes('{"sender": "a", "message": "b", "end": "false"}'),
      "bad-field",
      'field "end" is a string, expected a boolean',
    );
    expectProblem(
      bytes('{"message": "b", "end": false}'),
      "bad-field",
      'field "sender" is missing, expected a string',
    );
    expectProblem(
      bytes('{"sender": "a", "message": 3, "end": false}'),
      "bad-field",
      'field "message" is a number, expected a string',
    );
    expectProblem(
      bytes('{"sender": null, "message": "b", "end": false}'),
      "bad-field",
      'field "sender" is null, expected a string',
    );
  });

  test("timestamp: missing or null falls back to the Kafka time with an empty timestamp", () => {
    for (const json of [
      '{"sender": "a", "message": "b", "end": false}',
      '{"sender": "a", "message": "b", "end": false, "timestamp": null}',
    ]) {
      const decoded = decode(bytes(json), KAFKA_MS);
      expect(decoded).toEqual({
        ok: true,
        record: { sender: "a", message: "b", end: false, timestamp: "" },
        time: new Date(KAFKA_MS),
        timeSource: "kafka",
      });
    }
  });

  test("timestamp: an unparseable or non-string one keeps the message, at the Kafka time", () => {
    const cases: [string, string][] = [
      ['"yesterday"', "yesterday"],
      ['"2024-02-30T10:00:00"', "2024-02-30T10:00:00"],
      ["1724639188", "1724639188"],
      ["[1]", "[1]"],
    ];
    for (const [json, kept] of cases) {
      const decoded = decode(
        bytes(`{"sender": "a", "message": "b", "end": true, "timestamp": ${json}}`),
        KAFKA_MS,
      );
      expect(decoded).toEqual({
        ok: true,
        record: { sender: "a", message: "b", end: true, timestamp: kept },
        time: new Date(KAFKA_MS),
        timeSource: "kafka",
      });
    }
  });

  test("extra keys are ignored", () => {
    const decoded = decode(
      bytes(
        '{"sender": "a", "message": "b", "end": false, "room": "x", "timestamp": "2024-08-26T11:26:28Z"}',
      ),
      KAFKA_MS,
    );
    expect(decoded).toEqual({
      ok: true,
      record: { sender: "a", message: "b", end: false, timestamp: "2024-08-26T11:26:28Z" },
      time: new Date(Date.UTC(2024, 7, 26, 11, 26, 28)),
      timeSource: "record",
    });
  });

  test("never throws on arbitrary bytes or arbitrary JSON", () => {
    const chatLike = fc.record(
      { sender: fc.jsonValue(), message: fc.jsonValue(), end: fc.jsonValue(), timestamp: fc.jsonValue() },
      { requiredKeys: [] },
    );
    const values = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.json().map(bytes),
      chatLike.map((value) => bytes(JSON.stringify(value))),
    );
    fc.assert(
      fc.property(values, fc.integer(), (value, ms) => {
        const decoded = decode(value, ms);
        expect(typeof decoded.ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });

  test("encode then decode gives the record back", () => {
    fc.assert(
      fc.property(record, (r) => {
        const decoded = decode(encode(r), KAFKA_MS);
        if (!decoded.ok) throw new Error(`${decoded.problem}: ${decoded.detail}`);
        expect(decoded.record).toEqual(r);
        expect(decoded.timeSource).toBe(parseTimestamp(r.timestamp) === null ? "kafka" : "record");
      }),
      { numRuns: 500 },
    );
  });
});

describe("parseTimestamp", () => {
  test("Python isoformat without a zone is local wall-clock time", () => {
    expect(parseTimestamp("2024-08-26T11:26:28.670735")).toEqual(new Date(2024, 7, 26, 11, 26, 28, 670));
    expect(parseTimestamp("2024-08-26T11:26:28")).toEqual(new Date(2024, 7, 26, 11, 26, 28));
    expect(parseTimestamp("2024-08-26 11:26:28.5")).toEqual(new Date(2024, 7, 26, 11, 26, 28, 500));
    expect(parseTimestamp("2024-08-26T11:26:28.123456789")).toEqual(new Date(2024, 7, 26, 11, 26, 28, 123));
    expect(parseTimestamp("2024-02-29T00:00:00")).toEqual(new Date(2024, 1, 29));
    inZone("Asia/Seoul", () => {
      expect(parseTimestamp("2024-08-26T11:26:28.670735")).toEqual(
        new Date(Date.UTC(2024, 7, 26, 2, 26, 28, 670)),
      );
      expect(parseTimestamp("2024-08-26T11:26:28+00:00")).toEqual(
        new Date(Date.UTC(2024, 7, 26, 11, 26, 28)),
      );
    });
  });

  test("Z and numeric offsets", () => {
    expect(parseTimestamp("2024-08-26T11:26:28.670735Z")).toEqual(
      new Date(Date.UTC(2024, 7, 26, 11, 26, 28, 670)),
    );
    expect(parseTimestamp("2024-08-26T11:26:28+09:00")).toEqual(new Date(Date.UTC(2024, 7, 26, 2, 26, 28)));
    expect(parseTimestamp("2024-08-26T11:26:28-0500")).toEqual(new Date(Date.UTC(2024, 7, 26, 16, 26, 28)));
    expect(parseTimestamp("0099-01-01T00:00:00Z")?.getUTCFullYear()).toBe(99);
  });

  test("rejects impossible dates and other text", () => {
    for (const bad of [
      "2024-13-01T00:00:00",
      "2024-02-30T00:00:00",
      "2023-02-29T00:00:00",
      "2024-04-31T00:00:00",
      "2024-08-26T24:00:00",
      "2024-08-26T11:60:00",
      "2024-08-26T11:26:61",
      "2024-08-26T11:26:28+24:00",
      "2024-08-26",
      "2024-08-26T11:26:28.",
      "2024-08-26T11:26:28.1234567890",
      " 2024-08-26T11:26:28",
      "2024-08-26T11:26:28 ",
      "0000-01-01T00:00:00",
      "",
    ]) {
      expect(parseTimestamp(bad)).toBeNull();
    }
  });

  test("reads back what pythonIsoformat writes", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date(1000, 0, 1), max: new Date(9999, 0, 1), noInvalidDate: true }),
        (date) => {
          expect(parseTimestamp(pythonIsoformat(date))).toEqual(date);
        },
      ),
    );
  });
});

describe("pythonIsoformat", () => {
  test("local time with microseconds, omitted when zero as Python does", () => {
    inZone("Asia/Seoul", () => {
      expect(pythonIsoformat(new Date(Date.UTC(2024, 7, 26, 2, 26, 28, 670)))).toBe(
        "2024-08-26T11:26:28.670000",
      );
    });
    expect(pythonIsoformat(new Date(2024, 7, 26, 11, 26, 28, 670))).toBe("2024-08-26T11:26:28.670000");
    expect(pythonIsoformat(new Date(2024, 0, 2, 3, 4, 5))).toBe("2024-01-02T03:04:05");
    expect(pythonIsoformat(new Date(2024, 0, 2, 3, 4, 5, 5))).toBe("2024-01-02T03:04:05.005000");
  });

  test("matches Python's datetime.fromtimestamp(..).isoformat() in a non-UTC zone", () => {
    inZone("America/New_York", () => {
      const instants = fc.sample(fc.integer({ min: 0, max: 4_102_444_800_000 }), 300);
      instants.push(Date.UTC(2024, 2, 10, 7, 30), Date.UTC(2024, 10, 3, 5, 30, 0, 1));
      const program = [
        "import sys, datetime",
        "for line in sys.stdin:",
        "    ms = int(line)",
        "    t = datetime.datetime.fromtimestamp(ms // 1000).replace(microsecond=(ms % 1000) * 1000)",
        "    print(t.isoformat())",
      ].join("\n");
      const result = Bun.spawnSync(["python3", "-c", program], {
        stdin: Buffer.from(`${instants.join("\n")}\n`),
        env: { ...process.env, TZ: "America/New_York" },
      });
      expect(result.exitCode).toBe(0);
      const theirs = result.stdout.toString().split("\n").slice(0, -1);
      expect(instants.map((ms) => pythonIsoformat(new Date(ms)))).toEqual(theirs);
    });
  });
});

describe("records of the original protocol", () => {
  const now = new Date(2024, 7, 26, 11, 25, 59, 859);

  test("join, leave and text records", () => {
    expect(joinRecord("user1", now)).toEqual({
      sender: "[INFO]",
      message: "User [user1] has entered the chat!\n",
      end: false,
      timestamp: "2024-08-26T11:25:59.859000",
    });
    expect(leaveRecord("user1", now)).toEqual({
      sender: "user1",
      message: "\nUser [user1] has exited the chatroom.",
      end: true,
      timestamp: "2024-08-26T11:25:59.859000",
    });
    expect(textRecord("민수", "안녕 @봇", now)).toEqual({
      sender: "민수",
      message: "안녕 @봇",
      end: false,
      timestamp: "2024-08-26T11:25:59.859000",
    });
  });

  test("constants", () => {
    expect(LEAVE_HINT).toBe("Type in 'exit' to also finish the chat.");
    expect(INFO_SENDER).toBe("[INFO]");
    expect(BOT_SENDER).toBe("[bot]");
    expect(MAX_RECORD_BYTES).toBe(1048576);
  });
});
