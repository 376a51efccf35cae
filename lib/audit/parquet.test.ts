import { expect, test } from "bun:test";
import fc from "fast-check";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import type { SchemaElement } from "hyparquet-writer";
import { BooleanColumn, DictionaryColumn, IntColumn, ParquetFile, PlainColumn } from "./parquet.ts";

const compressors = { ZSTD: (input: Uint8Array) => new Uint8Array(Bun.zstdDecompressSync(input)) };
const optional = (element: SchemaElement): SchemaElement => ({ ...element, repetition_type: "OPTIONAL" });
const text = (name: string): SchemaElement => ({
  name,
  type: "BYTE_ARRAY",
  converted_type: "UTF8",
  logical_type: { type: "STRING" },
  repetition_type: "REQUIRED",
});
const SCHEMA: SchemaElement[] = [
  { name: "schema", num_children: 7 },
  text("key"),
  optional(text("label")),
  optional(text("note")),
  optional({ name: "blob", type: "BYTE_ARRAY" }),
  { name: "small", type: "INT32", repetition_type: "REQUIRED" },
  optional({ name: "big", type: "INT64" }),
  optional({ name: "flag", type: "BOOLEAN" }),
];

interface Row {
  key: string;
  label: string | null;
  note: string | null;
  blob: Uint8Array | null;
  small: number;
  big: bigint | null;
  flag: boolean | null;
}

// Lone surrogates are not text UTF-8 can carry; like TextEncoder, the writer stores U+FFFD.
const wellFormed = (s: string) => s.toWellFormed();
const row = fc.record({
  key: fc.string({ unit: "binary" }).map(wellFormed),
  label: fc.option(fc.constantFrom("a", "민수", "[INFO]", "😀", "", "zz"), { nil: null }),
  note: fc.option(fc.string({ unit: "binary", maxLength: 300 }).map(wellFormed), { nil: null }),
  blob: fc.option(fc.uint8Array({ maxLength: 50 }), { nil: null }),
  small: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  big: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { nil: null }),
  flag: fc.option(fc.boolean(), { nil: null }),
});

function write(rows: Row[], groupSize: number): Uint8Array {
  const columns = {
    key: new DictionaryColumn(SCHEMA[1] as SchemaElement),
    label: new DictionaryColumn(SCHEMA[2] as SchemaElement),
    note: new PlainColumn(SCHEMA[3] as SchemaElement),
    blob: new PlainColumn(SCHEMA[4] as SchemaElement),
    small: new IntColumn(SCHEMA[5] as SchemaElement),
    big: new IntColumn(SCHEMA[6] as SchemaElement),
    flag: new BooleanColumn(SCHEMA[7] as SchemaElement),
  };
  const file = new ParquetFile(SCHEMA, Object.values(columns), {
    createdBy: "test",
    rowGroupRows: groupSize,
  });
  for (const r of rows) {
    columns.key.push(r.key);
    columns.label.push(r.label);
    columns.note.push(r.note);
    columns.blob.push(r.blob);
    columns.small.push(r.small);
    // Numbers where exact, bigints beyond: both must land as the same int64.
    columns.big.push(r.big !== null && r.big >= -(2n ** 53n) && r.big <= 2n ** 53n ? Number(r.big) : r.big);
    columns.flag.push(r.flag);
    file.rowAdded();
  }
  return file.finish();
}

test("every value reads back as written, over several row groups, nulls included", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(row, { maxLength: 60 }),
      fc.integer({ min: 1, max: 25 }),
      async (rows, size) => {
        const bytes = write(rows, size);
        const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        const read = await parquetReadObjects({ file, compressors, utf8: false });
        expect(read.map((r) => ({ ...r, blob: r.blob === null ? null : new Uint8Array(r.blob) }))).toEqual(
          rows.map((r) => ({ ...r })),
        );
        const metadata = parquetMetadata(file);
        expect(Number(metadata.num_rows)).toBe(rows.length);
        expect(metadata.row_groups.length).toBe(Math.ceil(rows.length / size));
      },
    ),
    { numRuns: 150 },
  );
});

test("statistics are each row group's true bounds and null counts", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 40 }), async (rows) => {
      const bytes = write(rows, rows.length);
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const stats = Object.fromEntries(
        (parquetMetadata(file).row_groups[0]?.columns ?? []).map((c) => [
          c.meta_data?.path_in_schema[0],
          c.meta_data?.statistics,
        ]),
      );
      const present = <T>(values: (T | null)[]) => values.filter((v): v is T => v !== null);
      const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
      const labels = present(rows.map((r) => r.label)).sort(utf8Order);
      expect(stats.label?.null_count).toBe(BigInt(rows.length - labels.length));
      if (labels.length > 0) {
        expect(stats.label?.min_value).toBe(labels[0]);
        expect(stats.label?.max_value).toBe(labels.at(-1));
      }
      const smalls = rows.map((r) => r.small);
      expect(stats.small?.min_value).toBe(Math.min(...smalls));
      expect(stats.small?.max_value).toBe(Math.max(...smalls));
      const bigs = present(rows.map((r) => r.big)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (bigs.length > 0) {
        expect(stats.big?.min_value).toBe(bigs[0]);
        expect(stats.big?.max_value).toBe(bigs.at(-1));
      }
      const flags = present(rows.map((r) => r.flag));
      if (flags.length > 0) {
        expect(stats.flag?.min_value).toBe(flags.every(Boolean));
        expect(stats.flag?.max_value).toBe(flags.some(Boolean));
      }
      expect(stats.note).toBeUndefined();
    }),
    { numRuns: 150 },
  );
});
