/**
 * The fast decoder gives exactly what the general one gives: for arbitrary records (every kind
 * of escape, surrogate pairs, lone surrogates, control characters, invalid UTF-8, wrong types,
 * other layouts, huge values) it either leaves the record to parseRecord or returns the same
 * fields, the message as the UTF-8 bytes of parseRecord's string; and it does take every record
 * Python writes for well-formed text, so the fast path is the one actually used.
 */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { type ChatRecord, encode, MAX_RECORD_BYTES, parseRecord } from "./wire.ts";
import { RecordScanner } from "./wire-fast.ts";

const scanner = new RecordScanner();

function expectSameAsGeneral(value: Uint8Array | null): boolean {
  const fast = scanner.scan(value);
  if (fast === null) return false;
  const general = parseRecord(value);
  expect(general.ok).toBe(true);
  if (!general.ok) return true;
  const { sender, message, end, timestamp } = general.record;
  expect({
    sender: fast.sender,
    message: Buffer.from(fast.text.subarray(fast.messageStart, fast.messageEnd)),
    end: fast.end,
    timestamp: Buffer.from(fast.text.subarray(fast.timestampStart, fast.timestampEnd)),
    multiline: fast.multiline,
  }).toEqual({
    sender,
    message: Buffer.from(message, "utf8"),
    end,
    timestamp: Buffer.from(timestamp, "utf8"),
    multiline: /[\n\r]/.test(message),
  });
  return true;
}

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom(
      "가",
      "\n",
      "\r",
      "\\",
      '"',
      "/",
      "\u0000",
      "\u007f",
      "😀",
      "\ud800",
      "\udc00",
      "a",
    ),
    maxLength: 20,
  }),
);
const record = fc.record({ sender: text, message: text, end: fc.boolean(), timestamp: text });

test("any record Python writes: the fast decoder equals the general one, and takes every well-formed one", () => {
  fc.assert(
    fc.property(record, (r: ChatRecord) => {
      const bytes = encode(r);
      const taken = expectSameAsGeneral(bytes);
      const wellFormed = [r.sender, r.message, r.timestamp].every((s) => s.isWellFormed());
      expect(taken).toBe(wellFormed);
    }),
    { numRuns: 3000 },
  );
});

/** Bytes near the wire's shape: a valid record cut, spliced, or with a byte replaced. */
const mutated = fc
  .tuple(
    record,
    fc.nat(),
    fc.nat(),
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom("cut", "replace", "insert", "raw"),
  )
  .map(([r, a, b, byte, how]) => {
    const bytes = new Uint8Array(encode(r));
    const at = bytes.length === 0 ? 0 : a % bytes.length;
    if (how === "cut") return bytes.subarray(0, at);
    if (how === "replace") {
      bytes[at] = byte;
      return bytes;
    }
    if (how === "insert") return new Uint8Array([...bytes.subarray(0, at), byte, ...bytes.subarray(at)]);
    // A raw (unescaped) UTF-8 or invalid sequence where an escape was.
    const raw = [[0xea, 0xb0, 0x80], [0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80]][b % 4] as number[];
    return new Uint8Array([...bytes.subarray(0, at), ...raw, ...bytes.subarray(at)]);
  });

const otherJson = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record({
      sender: fc.jsonValue(),
      message: fc.jsonValue(),
      end: fc.jsonValue(),
      timestamp: fc.jsonValue(),
    })
    .map(
      (o) =>
        `{"sender": ${JSON.stringify(o.sender)}, "message": ${JSON.stringify(o.message)}, "end": ${JSON.stringify(o.end)}, "timestamp": ${JSON.stringify(o.timestamp)}}`,
    ),
  fc.constantFrom(
    '{"sender": "a", "message": "b", "end": false}',
    '{"message": "b", "sender": "a", "end": false, "timestamp": "t"}',
    '{"sender":"a","message":"b","end":false,"timestamp":"t"}',
    '{"sender": "a", "message": "b", "end": false, "timestamp": "t"} ',
    '{"sender": "a", "message": "b", "end": false, "timestamp": null}',
    '{"sender": "a", "message": "b\\u00", "end": false, "timestamp": "t"}',
    '{"sender": "a", "message": "\\x41", "end": false, "timestamp": "t"}',
  ),
);

test("anything else: the fast decoder leaves it to parseRecord or agrees with it", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        mutated,
        otherJson.map((s) => new TextEncoder().encode(s)),
        fc.uint8Array({ maxLength: 80 }),
      ),
      (bytes) => {
        expectSameAsGeneral(bytes);
      },
    ),
    { numRuns: 5000 },
  );
  for (const value of [null, new Uint8Array(0)]) expect(scanner.scan(value)).toBeNull();
});

/** What a scan found, as plain values (a scan's result is valid until the next one). */
function fields(scanned: ReturnType<RecordScanner["scan"]>) {
  if (scanned === null) return null;
  const { sender, text, messageStart, messageEnd, end, timestampStart, timestampEnd, multiline } = scanned;
  return {
    sender,
    message: Buffer.from(text.subarray(messageStart, messageEnd)),
    end,
    timestamp: Buffer.from(text.subarray(timestampStart, timestampEnd)),
    multiline,
  };
}

test("a record scanned where it lies among others' bytes reads as much as the record alone, never past it", () => {
  // A packed batch's values lie back to back: what follows a record may continue an escape, a
  // literal or a string it ends in the middle of.
  const around = fc.oneof(
    fc.uint8Array({ maxLength: 12 }),
    fc.constantFrom('"}', "u0041", "\\u", 'true, "timestamp": ""}', "dc00\\", "\\udc00"),
  );
  const value = fc.oneof(
    record.map((r) => encode(r)),
    mutated,
    otherJson.map((t) => new TextEncoder().encode(t)),
  );
  fc.assert(
    fc.property(value, around, around, (bytes, before, after) => {
      const b = typeof before === "string" ? new TextEncoder().encode(before) : before;
      const a = typeof after === "string" ? new TextEncoder().encode(after) : after;
      const alone = fields(scanner.scan(bytes));
      const packed = new Uint8Array([...b, ...bytes, ...a]);
      expect(fields(scanner.scan(packed, b.length, b.length + bytes.length))).toEqual(alone);
    }),
    { numRuns: 5000 },
  );
});

test("huge values: up to the record limit decoded alike, past it left to parseRecord (too large)", () => {
  const big = (n: number) => encode({ sender: "a", message: "가".repeat(n), end: false, timestamp: "" });
  const within = big(Math.floor((MAX_RECORD_BYTES - 60) / 6));
  expect(within.byteLength).toBeLessThanOrEqual(MAX_RECORD_BYTES);
  expect(expectSameAsGeneral(within)).toBe(true);
  const over = big(Math.ceil(MAX_RECORD_BYTES / 6));
  expect(scanner.scan(over)).toBeNull();
  expect(parseRecord(over)).toMatchObject({ ok: false, problem: "too-large" });
});

test("senders seen before come back right: many senders, interleaved, colliding in the recent-senders table", () => {
  const senders = Array.from({ length: 2_000 }, (_, i) => (i % 3 === 0 ? `민수${i}` : `user${i}`));
  for (let round = 0; round < 3; round++) {
    for (const sender of senders) {
      const value = encode({ sender, message: "m", end: false, timestamp: "" });
      expect(scanner.scan(value)?.sender).toBe(sender);
      expect(scanner.scan(encode({ sender: "a", message: "m", end: false, timestamp: "" }))?.sender).toBe(
        "a",
      );
    }
  }
  const long = "가".repeat(40);
  expect(scanner.scan(encode({ sender: long, message: "m", end: false, timestamp: "" }))?.sender).toBe(long);
});
