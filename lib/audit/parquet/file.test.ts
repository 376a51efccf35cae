import { expect, test } from "bun:test";
import fc from "fast-check";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { ParquetFile } from "./file.ts";
import {
  BOOLEAN,
  BYTES,
  column,
  DICTIONARY,
  INT32,
  INT64,
  PLAIN_BOOLEAN,
  PLAIN_BYTES,
  PLAIN_INT,
  STRING,
  schemaOf,
} from "./schema.ts";

const compressors = { ZSTD: (input: Uint8Array) => new Uint8Array(Bun.zstdDecompressSync(input)) };
const TABLE = {
  key: column(STRING, "REQUIRED", DICTIONARY, true),
  label: column(STRING, "OPTIONAL", DICTIONARY, true),
  note: column(STRING, "OPTIONAL", PLAIN_BYTES, true),
  blob: column(BYTES, "OPTIONAL", PLAIN_BYTES, false),
  small: column(INT32, "REQUIRED", PLAIN_INT, true),
  big: column(INT64, "OPTIONAL", PLAIN_INT, true),
  flag: column(BOOLEAN, "OPTIONAL", PLAIN_BOOLEAN, true),
};

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

function pushRow(file: ParquetFile<typeof TABLE>, r: Row): void {
  const columns = file.columns;
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

function write(rows: Row[], groupSize: number): Uint8Array {
  const file = new ParquetFile(TABLE, { createdBy: "test", rowGroupRows: groupSize });
  for (const r of rows) pushRow(file, r);
  return file.finish();
}

async function readBack(bytes: Uint8Array): Promise<Row[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const read = await parquetReadObjects({ file, compressors, utf8: false });
  return read.map((r) => ({ ...r, blob: r.blob === null ? null : new Uint8Array(r.blob) })) as Row[];
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

test("files open at once, finished in any order, each read back as written (finished files' buffers go to new ones)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(2), row), { maxLength: 90 }),
      fc.nat(89),
      async (rows, finishAt) => {
        const open = () => new ParquetFile(TABLE, { createdBy: "test", rowGroupRows: 7 });
        const files = [open(), open(), open()];
        const written: Row[][] = [[], [], []];
        const finished: Uint8Array[] = [];
        rows.forEach(([which, r], i) => {
          // Partway through, file 0 is finished and a new file takes its place (and its buffers).
          if (i === finishAt) {
            finished.push((files[0] as ParquetFile<typeof TABLE>).finish());
            files[0] = open();
            written.push(written[0] as Row[]);
            written[0] = [];
          }
          pushRow(files[which] as ParquetFile<typeof TABLE>, r);
          (written[which] as Row[]).push(r);
        });
        const bytes = [...files.map((f) => f.finish()), ...finished];
        for (const [i, b] of bytes.entries()) expect(await readBack(b)).toEqual(written[i] as Row[]);
      },
    ),
    { numRuns: 100 },
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
      const notes = present(rows.map((r) => r.note)).sort(utf8Order);
      expect(stats.note?.null_count).toBe(BigInt(rows.length - notes.length));
      if (notes.length > 0) {
        // hyparquet-writer truncates long bounds in the footer and marks them inexact: a
        // truncated min is a prefix of the true min, a truncated max sorts at or after the true max.
        const [min, max] = [notes[0] as string, notes.at(-1) as string];
        const note = stats.note;
        if (note?.is_min_value_exact === false) expect(min.startsWith(note.min_value as string)).toBe(true);
        else expect(note?.min_value).toBe(min);
        if (note?.is_max_value_exact === false)
          expect(utf8Order(note.max_value as string, max)).toBeGreaterThan(0);
        else expect(note?.max_value).toBe(max);
      }
      // Statistics off in the table: none in the file.
      expect(stats.blob).toBeUndefined();
    }),
    { numRuns: 150 },
  );
});

test("the file's schema is the table's, in its order, with each column's type and annotations", () => {
  const bytes = write(
    [{ key: "k", label: null, note: null, blob: null, small: 1, big: null, flag: null }],
    1,
  );
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  expect(metadata.schema.map((e) => e.name)).toEqual(["schema", ...Object.keys(TABLE)]);
  expect(metadata.schema).toEqual(schemaOf(TABLE));
  expect(metadata.row_groups[0]?.columns.map((c) => c.meta_data?.path_in_schema[0])).toEqual(
    Object.keys(TABLE),
  );
});
