import { afterAll, expect, test } from "bun:test";
import fc from "fast-check";
// @ts-expect-error kafkajs's internals carry no types
import Decoder from "kafkajs/src/protocol/decoder.js";
// @ts-expect-error kafkajs's internals carry no types
import Encoder from "kafkajs/src/protocol/encoder.js";
// @ts-expect-error kafkajs's internals carry no types
import Compression from "kafkajs/src/protocol/message/compression/index.js";
// @ts-expect-error kafkajs's internals carry no types
import Record from "kafkajs/src/protocol/recordBatch/record/v0/index.js";
// @ts-expect-error kafkajs's internals carry no types
import { RecordBatch } from "kafkajs/src/protocol/recordBatch/v0/index.js";
// @ts-expect-error kafkajs's internals carry no types
import fetchV11 from "kafkajs/src/protocol/requests/fetch/v11/response.js";
// @ts-expect-error kafkajs's internals carry no types
import Long from "kafkajs/src/utils/long.js";
import { decodeFetchedRecordsFast } from "./fetch-records.ts";
import { useSmallLongs } from "./small-long.ts";

const restore = decodeFetchedRecordsFast();
afterAll(() => decodeFetchedRecordsFast());
const decode = (bytes: Buffer): Promise<unknown> =>
  (fetchV11 as { decode(b: Buffer): Promise<unknown> }).decode(bytes);

/** kafkajs's own decode of `bytes`, then ours; both answers (or both failures) as text. */
async function both(bytes: Buffer): Promise<[string, string]> {
  const run = async () => {
    try {
      return JSON.stringify(await decode(bytes));
    } catch (error) {
      return `threw ${(error as Error).name}: ${(error as Error).message}`;
    }
  };
  restore();
  const theirs = await run();
  decodeFetchedRecordsFast();
  return [theirs, await run()];
}

const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};

interface Partition {
  aborted: [bigint, bigint][];
  records: Buffer;
}

/** A Fetch v11 response as a broker writes it (without the size and correlation id kafkajs strips). */
function fetchResponse(topics: [string, Partition[]][]): Buffer {
  const parts: Buffer[] = [int32(0), int16(0), int32(0), int32(topics.length)];
  for (const [name, partitions] of topics) {
    parts.push(int16(Buffer.byteLength(name)), Buffer.from(name), int32(partitions.length));
    partitions.forEach(({ aborted, records }, partition) => {
      parts.push(int32(partition), int16(0), int64(100n), int64(90n), int64(0n), int32(aborted.length));
      for (const [producerId, firstOffset] of aborted) parts.push(int64(producerId), int64(firstOffset));
      parts.push(int32(-1), int32(records.byteLength), records);
    });
  }
  return Buffer.concat(parts);
}

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
/** Around 2^53, where a number stops being exact, and everywhere else in int64. */
const anyInt64 = fc.oneof(
  fc.bigInt(INT64),
  fc.bigInt({ min: 2n ** 53n - 3000n, max: 2n ** 53n + 3000n }),
  fc.bigInt({ min: -(2n ** 53n) - 3000n, max: -(2n ** 53n) + 3000n }),
  fc.bigInt({ min: 0n, max: 10n ** 13n }),
);

const record = fc.record({
  offsetDelta: fc.oneof(fc.nat(300), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  timestampDelta: fc.oneof(fc.integer({ min: -100_000, max: 100_000 }), fc.bigInt(INT64).map(String)),
  key: fc.option(fc.uint8Array({ maxLength: 12 })),
  value: fc.option(fc.uint8Array({ maxLength: 300 })),
  headers: fc.array(fc.tuple(fc.constantFrom("trace", "__proto__", "x"), fc.uint8Array({ maxLength: 6 })), {
    maxLength: 3,
  }),
});

/** Attribute bits kafkajs reads (timestamp type, transactional, control); the CRC is not checked. */
const ATTRIBUTES_AT = 8 + 4 + 4 + 1 + 4 + 1;

/** Where a batch's record count starts. */
const RECORDS_AT = ATTRIBUTES_AT + 2 + 4 + 8 + 8 + 8 + 2 + 4;

const batch = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 8 }),
  firstOffset: anyInt64,
  firstTimestamp: anyInt64,
  maxTimestamp: anyInt64,
  gzip: fc.boolean(),
  flags: fc.constantFrom(0, 0, 0x8, 0x10, 0x20, 0x38),
});

async function encodeBatch(b: typeof batch extends fc.Arbitrary<infer T> ? T : never): Promise<Buffer> {
  const encoded = await RecordBatch({
    compression: b.gzip ? Compression.Types.GZIP : Compression.Types.None,
    firstOffset: Long.fromValue(String(b.firstOffset)),
    firstTimestamp: String(b.firstTimestamp),
    maxTimestamp: String(b.maxTimestamp),
    lastOffsetDelta: b.records.length - 1,
    records: b.records.map((r) =>
      Record({
        offsetDelta: r.offsetDelta,
        timestampDelta: Long.fromValue(r.timestampDelta),
        key: r.key === null ? null : Buffer.from(r.key),
        value: r.value === null ? null : Buffer.from(r.value),
        headers: Object.fromEntries(
          ["trace", "__proto__", "x"]
            .map((k) => [k, r.headers.filter(([key]) => key === k).map(([, v]) => Buffer.from(v))] as const)
            .filter(([, values]) => values.length > 0),
        ),
      }),
    ),
  });
  const bytes = Buffer.from(encoded.buffer);
  bytes[ATTRIBUTES_AT] = ((bytes[ATTRIBUTES_AT] as number) & ~0x38) | b.flags;
  return bytes;
}

const partition = fc.record({
  batches: fc.array(batch, { maxLength: 3 }),
  aborted: fc.array(fc.tuple(anyInt64, anyInt64), { maxLength: 2 }),
  // A response's last batch may be cut short by the byte limit. Records may be damaged (not a
  // batch's length: kafkajs itself loops forever on a negative one).
  cut: fc.option(fc.nat(400)),
  damage: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 3 }),
});

test("Fetch v11 responses decode to kafkajs's own: any offsets, timestamps, flags, headers, gzip, cut or damaged batches", async () => {
  for (const smallLongs of [false, true]) {
    const restoreLongs = useSmallLongs();
    if (!smallLongs) restoreLongs();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.constantFrom("room-a", "room-b"), fc.array(partition, { minLength: 1, maxLength: 2 })),
          {
            minLength: 1,
            maxLength: 2,
          },
        ),
        async (topics) => {
          const encoded: [string, Partition[]][] = [];
          for (const [name, partitions] of topics) {
            const built: Partition[] = [];
            for (const p of partitions) {
              let records = Buffer.concat(await Promise.all(p.batches.map(encodeBatch)));
              if (p.cut !== null) records = records.subarray(0, Math.max(0, records.byteLength - p.cut));
              records = Buffer.from(records);
              const first =
                records.byteLength >= 12 ? Math.min(records.byteLength, 12 + records.readInt32BE(8)) : 0;
              for (const [at, byte] of p.damage) {
                if (first > RECORDS_AT) records[RECORDS_AT + (at % (first - RECORDS_AT))] = byte;
              }
              built.push({ aborted: p.aborted, records });
            }
            encoded.push([name, built]);
          }
          const [theirs, ours] = await both(fetchResponse(encoded));
          expect(ours).toBe(theirs);
        },
      ),
      { numRuns: 400 },
    );
  }
  useSmallLongs();
});

test("a record claiming more headers than it has bytes is refused, not read for minutes", () => {
  // kafkajs would build a billion empty headers from the varints it reads as 0 past the end.
  const bytes = Buffer.concat([new Encoder().writeVarInt(1_000_000_000).buffer, Buffer.from([0, 0])]);
  const decoder = new Decoder(bytes);
  expect(() => decoder.readVarIntArray((d: { readVarIntBytes(): Buffer }) => d.readVarIntBytes())).toThrow(
    "malformed record: 1000000000 entries in 7 bytes",
  );
  // A count the bytes can hold is read as kafkajs reads it.
  const two = new Decoder(Buffer.concat([new Encoder().writeVarInt(2).buffer, Buffer.from([0, 0])]));
  expect(two.readVarIntArray((d: { readVarIntBytes(): Buffer }) => d.readVarIntBytes())).toEqual([
    Buffer.alloc(0),
    Buffer.alloc(0),
  ]);
});
