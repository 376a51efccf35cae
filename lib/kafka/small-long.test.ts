import { afterAll, expect, test } from "bun:test";
import fc from "fast-check";
// @ts-expect-error kafkajs's internals carry no types
import Batch from "kafkajs/src/consumer/batch.js";
// @ts-expect-error kafkajs's internals carry no types
import Decoder from "kafkajs/src/protocol/decoder.js";
// @ts-expect-error kafkajs's internals carry no types
import Compression from "kafkajs/src/protocol/message/compression/index.js";
// @ts-expect-error kafkajs's internals carry no types
import Record from "kafkajs/src/protocol/recordBatch/record/v0/index.js";
// @ts-expect-error kafkajs's internals carry no types
import decodeRecordBatch from "kafkajs/src/protocol/recordBatch/v0/decoder.js";
// @ts-expect-error kafkajs's internals carry no types
import { RecordBatch } from "kafkajs/src/protocol/recordBatch/v0/index.js";
// @ts-expect-error kafkajs's internals carry no types
import Long from "kafkajs/src/utils/long.js";
import { useSmallLongs } from "./small-long.ts";

const restore = useSmallLongs();
afterAll(() => useSmallLongs());

/** `work` with kafkajs's own Longs, then with SmallLongs; both answers (or both failures) as text. */
async function both(work: () => unknown): Promise<[string, string]> {
  const run = async () => {
    try {
      return JSON.stringify(await work(), (_key, value) => (typeof value === "bigint" ? `${value}n` : value));
    } catch (error) {
      return `threw ${(error as Error).name}: ${(error as Error).message}`;
    }
  };
  restore();
  const theirs = await run();
  useSmallLongs();
  return [theirs, await run()];
}

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
/** Around 2^53, where a number stops being exact, and everywhere else in int64. */
const int64 = fc.oneof(
  fc.bigInt(INT64),
  fc.bigInt({ min: -(2n ** 53n) - 5000n, max: -(2n ** 53n) + 5000n }),
  fc.bigInt({ min: 2n ** 53n - 5000n, max: 2n ** 53n + 5000n }),
  fc.bigInt({ min: -5000n, max: 5000n }),
);

test("readVarLong reads any bytes (over-long, truncated, negative, 10-byte) as kafkajs's does", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 12 }), fc.nat(3), async (bytes, start) => {
      const [theirs, ours] = await both(() => {
        const decoder = new Decoder(Buffer.from(bytes));
        decoder.offset = Math.min(start, bytes.length);
        const value = decoder.readVarLong();
        return [value.value, value.toString(), decoder.offset];
      });
      expect(ours).toBe(theirs);
    }),
    { numRuns: 2000 },
  );
});

test("Long arithmetic on strings, numbers and decoded varlongs gives kafkajs's values", async () => {
  const text = fc.oneof(
    int64.map(String),
    fc.constantFrom("-0", "007", "-007", "9007199254740993", "1e3", "0x10", " 12", "1.5", "NaN", ""),
  );
  await fc.assert(
    fc.asyncProperty(text, int64, fc.integer(), async (a, b, delta) => {
      const [theirs, ours] = await both(() => {
        const left = Long.fromValue(a);
        const right = Long.fromValue(String(b));
        const n = Number(b);
        return [
          left.value,
          left.toString(),
          left.add(delta).toString(),
          left.add(right).value,
          left.add(right).toString(),
          left.gte(right),
          right.gte(left),
          Long.fromValue(n).toString(),
          Long.fromValue(right).toString(),
          Long.isLong(left),
          Long.isLong(n),
        ];
      });
      expect(ours).toBe(theirs);
    }),
    { numRuns: 2000 },
  );
});

// kafkajs cannot encode a null header value; a key given twice is decoded as an array.
const header = fc.tuple(fc.constantFrom("trace", "kind", "x"), fc.uint8Array({ maxLength: 8 }));
const record = fc.record({
  offsetDelta: fc.nat(1000),
  timestampDelta: fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.bigInt(INT64).map(String)),
  key: fc.option(fc.uint8Array({ maxLength: 16 })),
  value: fc.option(fc.uint8Array({ maxLength: 64 })),
  headers: fc.array(header, { maxLength: 3 }),
});

test("record batches decode to kafkajs's own records: offsets past 2^53, negative timestamp deltas, headers, nulls, gzip", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(record, { minLength: 1, maxLength: 12 }),
      int64,
      int64,
      fc.boolean(),
      fc.boolean(),
      fc.nat(20),
      async (records, firstOffset, firstTimestamp, gzip, transactional, fetchedAhead) => {
        restore();
        const encoded = await RecordBatch({
          compression: gzip ? Compression.Types.GZIP : Compression.Types.None,
          firstOffset: Long.fromValue(String(firstOffset)),
          firstTimestamp: String(firstTimestamp),
          maxTimestamp: String(firstTimestamp),
          transactional,
          lastOffsetDelta: Math.max(...records.map((r) => r.offsetDelta)),
          records: records.map((r) =>
            Record({
              offsetDelta: r.offsetDelta,
              timestampDelta: Long.fromValue(r.timestampDelta),
              key: r.key === null ? null : Buffer.from(r.key),
              value: r.value === null ? null : Buffer.from(r.value),
              headers: Object.fromEntries(
                ["trace", "kind", "x"]
                  .map(
                    (k) =>
                      [k, r.headers.filter(([key]) => key === k).map(([, v]) => Buffer.from(v))] as const,
                  )
                  .filter(([, values]) => values.length > 0),
              ),
            }),
          ),
        });
        const bytes = Buffer.from(encoded.buffer);
        const [theirs, ours] = await both(async () => {
          const batch = await decodeRecordBatch(new Decoder(bytes));
          // The consumer's own filtering compares every offset with the fetched one.
          const fetched = String(firstOffset + BigInt(fetchedAhead));
          const consumed = new Batch("topic", fetched, {
            partition: 0,
            highWatermark: "0",
            messages: batch.records,
          });
          return [batch, consumed.messages.length, consumed.firstOffset(), consumed.lastOffset()];
        });
        expect(ours).toBe(theirs);
      },
    ),
    { numRuns: 300 },
  );
});
