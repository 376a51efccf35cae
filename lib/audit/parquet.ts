/**
 * Flat Parquet files written from column buffers. hyparquet-writer's ParquetWriter takes a row
 * group as arrays of JS values and converts, levels, measures, pages and copies every value
 * through generic code; over the audit's million-record runs that cost more CPU than fetching,
 * decoding and counting together (bench/audit). Here each column keeps its values already
 * encoded as rows arrive (UTF-8 bytes, little-endian words, dictionary indexes), so a row group
 * is one page per column: a few buffer copies and one zstd call. The format's own structures
 * (page headers, RLE/bit-packed runs, the thrift footer) are still written by hyparquet-writer.
 *
 * Only what the archive needs: flat REQUIRED/OPTIONAL columns, PLAIN or dictionary pages
 * (data page v2), min/max statistics on the columns that ask for them.
 */
import type { ColumnChunk, ParquetType, RowGroup, SchemaElement, Statistics } from "hyparquet";
import { ByteWriter } from "hyparquet-writer";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";

const ZSTD_LEVEL = 3;
const MAGIC = 0x31524150; // "PAR1"

/** A growable byte buffer with the writes columns need. */
class Bytes {
  bytes = Buffer.alloc(1024);
  view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  length = 0;

  ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  u8(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  i32(value: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, value, true);
    this.length += 4;
  }

  /** An integer as a little-endian int64: exact for safe integers and for any bigint in range. */
  i64(value: number | bigint): void {
    this.ensure(8);
    if (typeof value === "bigint") {
      this.view.setBigInt64(this.length, value, true);
    } else {
      const high = Math.floor(value / 4294967296);
      this.view.setUint32(this.length, value - high * 4294967296, true);
      this.view.setInt32(this.length + 4, high, true);
    }
    this.length += 8;
  }

  /** A PLAIN BYTE_ARRAY value: its length, then its bytes. */
  lengthPrefixed(value: string | Uint8Array): void {
    if (typeof value === "string") {
      // A UTF-16 code unit is at most 3 UTF-8 bytes (lone surrogates become U+FFFD, also 3).
      this.ensure(4 + value.length * 3);
      const written = this.bytes.write(value, this.length + 4, "utf8");
      this.view.setUint32(this.length, written, true);
      this.length += 4 + written;
    } else {
      this.ensure(4 + value.byteLength);
      this.view.setUint32(this.length, value.byteLength, true);
      this.bytes.set(value, this.length + 4);
      this.length += 4 + value.byteLength;
    }
  }

  get contents(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** Unsigned byte order, as Parquet orders BYTE_ARRAY bounds (for UTF-8: code point order). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

export interface ChunkWriter {
  writeChunk(out: ByteWriter): ColumnChunk;
}

/** One column's values for the row group being built. */
export abstract class Column<T> implements ChunkWriter {
  /** Definition levels, 1 defined / 0 null; only kept for OPTIONAL columns. */
  private readonly defined = new Bytes();
  protected rows = 0;
  protected nulls = 0;

  private readonly type: ParquetType;

  constructor(readonly element: SchemaElement) {
    if (element.type === undefined) throw new Error(`parquet column ${element.name} has no type`);
    this.type = element.type;
  }

  get optional(): boolean {
    return this.element.repetition_type === "OPTIONAL";
  }

  push(value: T | null): void {
    this.rows++;
    if (value === null) {
      if (!this.optional) throw new Error(`parquet column ${this.element.name} is required`);
      this.nulls++;
      this.defined.u8(0);
      return;
    }
    if (this.optional) this.defined.u8(1);
    this.pushValue(value);
  }

  protected abstract pushValue(value: T): void;
  /** Encoded values of the row group: the data page's body, before compression. */
  protected abstract values(): Uint8Array;
  protected abstract statistics(): Statistics | undefined;
  protected abstract reset(): void;
  /** A dictionary page's PLAIN body and its value count, for dictionary-encoded columns. */
  protected dictionary(): { body: Uint8Array; count: number } | null {
    return null;
  }

  /** Writes the row group's chunk of this column and starts the next row group empty. */
  writeChunk(out: ByteWriter): ColumnChunk {
    const start = out.offset;
    let uncompressed = 0;
    const dictionary = this.dictionary();
    let dictionaryOffset: bigint | undefined;
    if (dictionary !== null) {
      dictionaryOffset = BigInt(out.offset);
      const compressed = Bun.zstdCompressSync(dictionary.body, { level: ZSTD_LEVEL });
      const headerStart = out.offset;
      writePageHeader(out, {
        type: "DICTIONARY_PAGE",
        uncompressed_page_size: dictionary.body.length,
        compressed_page_size: compressed.length,
        dictionary_page_header: { num_values: dictionary.count, encoding: "PLAIN" },
      });
      out.appendBytes(compressed);
      uncompressed += out.offset - headerStart - compressed.length + dictionary.body.length;
    }

    const levels = new ByteWriter(64);
    if (this.optional) writeRleBitPackedHybrid(levels, this.defined.contents, 1);
    const body = this.values();
    const compressed = Bun.zstdCompressSync(body, { level: ZSTD_LEVEL });
    const dataOffset = BigInt(out.offset);
    const headerStart = out.offset;
    const encoding = dictionary === null ? "PLAIN" : "RLE_DICTIONARY";
    writePageHeader(out, {
      type: "DATA_PAGE_V2",
      uncompressed_page_size: levels.offset + body.length,
      compressed_page_size: levels.offset + compressed.length,
      data_page_header_v2: {
        num_values: this.rows,
        num_nulls: this.nulls,
        num_rows: this.rows,
        encoding,
        definition_levels_byte_length: levels.offset,
        repetition_levels_byte_length: 0,
        is_compressed: true,
      },
    });
    const headerSize = out.offset - headerStart;
    out.appendBytes(levels.getBytes());
    out.appendBytes(compressed);
    uncompressed += headerSize + levels.offset + body.length;

    const chunk: ColumnChunk = {
      file_offset: BigInt(start),
      meta_data: {
        type: this.type,
        encodings: dictionary === null ? ["PLAIN"] : ["PLAIN", "RLE_DICTIONARY"],
        path_in_schema: [this.element.name],
        codec: "ZSTD",
        num_values: BigInt(this.rows),
        total_uncompressed_size: BigInt(uncompressed),
        total_compressed_size: BigInt(out.offset - start),
        data_page_offset: dataOffset,
        dictionary_page_offset: dictionaryOffset,
        statistics: this.statistics(),
      },
    };
    this.defined.length = 0;
    this.rows = 0;
    this.nulls = 0;
    this.reset();
    return chunk;
  }
}

/** Free text: PLAIN, no statistics (long values rarely repeat; bounds of them help no reader). */
export class PlainColumn extends Column<string | Uint8Array> {
  private readonly data = new Bytes();

  protected pushValue(value: string | Uint8Array): void {
    this.data.lengthPrefixed(value);
  }
  protected values(): Uint8Array {
    return this.data.contents;
  }
  protected statistics(): Statistics | undefined {
    return undefined;
  }
  protected reset(): void {
    this.data.length = 0;
  }
}

/** Few distinct strings (rooms, topics, senders, problems): dictionary-encoded, with min/max. */
export class DictionaryColumn extends Column<string> {
  private readonly index = new Map<string, number>();
  private entries: Uint8Array[] = [];
  private indexes = new Int32Array(1024);
  private count = 0;

  protected pushValue(value: string): void {
    let at = this.index.get(value);
    if (at === undefined) {
      at = this.entries.length;
      this.index.set(value, at);
      this.entries.push(Buffer.from(value, "utf8"));
    }
    if (this.count === this.indexes.length) {
      const grown = new Int32Array(this.count * 2);
      grown.set(this.indexes);
      this.indexes = grown;
    }
    this.indexes[this.count++] = at;
  }

  protected override dictionary(): { body: Uint8Array; count: number } | null {
    const body = new Bytes();
    for (const entry of this.entries) body.lengthPrefixed(entry);
    return { body: body.contents, count: this.entries.length };
  }

  protected values(): Uint8Array {
    const page = new ByteWriter(1024);
    const bitWidth = Math.ceil(Math.log2(Math.max(this.entries.length, 1)));
    page.appendUint8(bitWidth);
    writeRleBitPackedHybrid(page, this.indexes.subarray(0, this.count), bitWidth);
    return page.getBytes();
  }

  protected statistics(): Statistics {
    let min: Uint8Array | undefined;
    let max: Uint8Array | undefined;
    for (const entry of this.entries) {
      if (min === undefined || compareBytes(entry, min) < 0) min = entry;
      if (max === undefined || compareBytes(entry, max) > 0) max = entry;
    }
    return { min_value: min, max_value: max, null_count: BigInt(this.nulls) };
  }

  protected reset(): void {
    this.index.clear();
    this.entries = [];
    this.count = 0;
  }
}

/** Integers and timestamps; an INT32 or INT64 column by its schema element. */
export class IntColumn extends Column<number | bigint> {
  private readonly data = new Bytes();
  private min: number | bigint | undefined;
  private max: number | bigint | undefined;
  private readonly wide = this.element.type === "INT64";

  protected pushValue(value: number | bigint): void {
    if (this.wide) this.data.i64(value);
    else this.data.i32(Number(value));
    if (this.min === undefined || value < this.min) this.min = value;
    if (this.max === undefined || value > this.max) this.max = value;
  }
  protected values(): Uint8Array {
    return this.data.contents;
  }
  protected statistics(): Statistics {
    const bound = (v: number | bigint | undefined) => (v === undefined || !this.wide ? v : BigInt(v));
    return { min_value: bound(this.min), max_value: bound(this.max), null_count: BigInt(this.nulls) };
  }
  protected reset(): void {
    this.data.length = 0;
    this.min = undefined;
    this.max = undefined;
  }
}

export class BooleanColumn extends Column<boolean> {
  private readonly data = new Bytes();
  private count = 0;
  private trues = 0;

  protected pushValue(value: boolean): void {
    // PLAIN booleans are bit-packed, least significant bit first.
    if (this.count % 8 === 0) this.data.u8(0);
    if (value) {
      const last = this.data.length - 1;
      this.data.bytes[last] = (this.data.bytes[last] as number) | (1 << (this.count % 8));
      this.trues++;
    }
    this.count++;
  }
  protected values(): Uint8Array {
    return this.data.contents;
  }
  protected statistics(): Statistics {
    const any = this.count > 0;
    return {
      min_value: any ? this.trues === this.count : undefined,
      max_value: any ? this.trues > 0 : undefined,
      null_count: BigInt(this.nulls),
    };
  }
  protected reset(): void {
    this.data.length = 0;
    this.count = 0;
    this.trues = 0;
  }
}

/**
 * One file built a row group at a time: the columns hold one row group's values, written out
 * every `rowGroupRows` rows, so memory holds encoded bytes, never decoded rows.
 */
export class ParquetFile {
  private readonly out = new ByteWriter(64 * 1024);
  private readonly rowGroups: RowGroup[] = [];
  private rows = 0;
  private groupRows = 0;

  constructor(
    private readonly schema: SchemaElement[],
    private readonly columns: readonly ChunkWriter[],
    private readonly options: { createdBy: string; rowGroupRows: number },
  ) {
    this.out.appendUint32(MAGIC);
  }

  /** Counts a row whose values were pushed to every column; a full row group is written out. */
  rowAdded(): void {
    if (++this.groupRows >= this.options.rowGroupRows) this.endRowGroup();
  }

  private endRowGroup(): void {
    if (this.groupRows === 0) return;
    const start = this.out.offset;
    const chunks = this.columns.map((column) => column.writeChunk(this.out));
    let uncompressed = 0n;
    for (const chunk of chunks) uncompressed += chunk.meta_data?.total_uncompressed_size ?? 0n;
    this.rowGroups.push({
      columns: chunks,
      total_byte_size: uncompressed,
      num_rows: BigInt(this.groupRows),
      total_compressed_size: BigInt(this.out.offset - start),
    });
    this.rows += this.groupRows;
    this.groupRows = 0;
  }

  finish(): Uint8Array {
    this.endRowGroup();
    writeMetadata(this.out, {
      version: 2,
      created_by: this.options.createdBy,
      schema: this.schema,
      num_rows: BigInt(this.rows),
      row_groups: this.rowGroups,
      metadata_length: 0,
    });
    this.out.appendUint32(MAGIC);
    return this.out.getBytes();
  }
}
