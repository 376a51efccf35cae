/**
 * A flat Parquet file written from column buffers. hyparquet-writer's ParquetWriter takes a row
 * group as arrays of JS values and converts, levels, measures, pages and copies every value
 * through generic code; over the audit's million-record runs that cost more CPU than fetching,
 * decoding and counting together (bench/audit). Here the columns (encodings.ts) hold their
 * values already encoded, so a row group is one page per column (data page v2, after a
 * dictionary page for dictionary columns): a few buffer copies and one zstd call. Only what the
 * archive needs: flat REQUIRED/OPTIONAL columns, zstd, a row group every `rowGroupRows` rows, so
 * memory holds encoded bytes, never decoded rows.
 */
import type { Column } from "./encodings.ts";
import {
  ByteWriter,
  type ColumnChunk,
  type RowGroup,
  writeMetadata,
  writePageHeader,
  writeRleBitPackedHybrid,
} from "./format.ts";
import { type Columns, columnsOf, schemaOf, type Table } from "./schema.ts";

const ZSTD_LEVEL = 3;
const MAGIC = 0x31524150; // "PAR1"

/** Writes a column's row group as its chunk (pages) and starts the column's next row group. */
function writeChunk(out: ByteWriter, column: Column<never>): ColumnChunk {
  const { element } = column;
  const chunk = column.encoded();
  const start = out.offset;
  let uncompressed = 0;
  let dictionaryOffset: bigint | undefined;
  if (chunk.dictionary !== null) {
    dictionaryOffset = BigInt(out.offset);
    const compressed = Bun.zstdCompressSync(chunk.dictionary.body, { level: ZSTD_LEVEL });
    const headerStart = out.offset;
    writePageHeader(out, {
      type: "DICTIONARY_PAGE",
      uncompressed_page_size: chunk.dictionary.body.length,
      compressed_page_size: compressed.length,
      dictionary_page_header: { num_values: chunk.dictionary.count, encoding: "PLAIN" },
    });
    out.appendBytes(compressed);
    uncompressed += out.offset - headerStart - compressed.length + chunk.dictionary.body.length;
  }

  const levels = new ByteWriter(64);
  if (chunk.definitions !== null) writeRleBitPackedHybrid(levels, chunk.definitions, 1);
  const compressed = Bun.zstdCompressSync(chunk.values, { level: ZSTD_LEVEL });
  const dataOffset = BigInt(out.offset);
  const headerStart = out.offset;
  writePageHeader(out, {
    type: "DATA_PAGE_V2",
    uncompressed_page_size: levels.offset + chunk.values.length,
    compressed_page_size: levels.offset + compressed.length,
    data_page_header_v2: {
      num_values: chunk.rows,
      num_nulls: chunk.nulls,
      num_rows: chunk.rows,
      encoding: chunk.dictionary === null ? "PLAIN" : "RLE_DICTIONARY",
      definition_levels_byte_length: levels.offset,
      repetition_levels_byte_length: 0,
      is_compressed: true,
    },
  });
  const headerSize = out.offset - headerStart;
  out.appendBytes(levels.getBytes());
  out.appendBytes(compressed);
  uncompressed += headerSize + levels.offset + chunk.values.length;
  column.reset();

  return {
    file_offset: BigInt(start),
    meta_data: {
      type: element.type,
      encodings: chunk.dictionary === null ? ["PLAIN"] : ["PLAIN", "RLE_DICTIONARY"],
      path_in_schema: [element.name],
      codec: "ZSTD",
      num_values: BigInt(chunk.rows),
      total_uncompressed_size: BigInt(uncompressed),
      total_compressed_size: BigInt(out.offset - start),
      data_page_offset: dataOffset,
      dictionary_page_offset: dictionaryOffset,
      statistics: chunk.statistics,
    },
  };
}

/** One file of `table`'s schema: push a value to every column, then call rowAdded. */
export class ParquetFile<T extends Table> {
  readonly columns: Columns<T>;
  private readonly ordered: Column<never>[];
  private readonly out = new ByteWriter(64 * 1024);
  private readonly rowGroups: RowGroup[] = [];
  private rows = 0;
  private groupRows = 0;

  constructor(
    private readonly table: T,
    private readonly options: { createdBy: string; rowGroupRows: number },
  ) {
    this.columns = columnsOf(table);
    this.ordered = Object.values(this.columns);
    this.out.appendUint32(MAGIC);
  }

  /** Counts a row whose values were pushed to every column; a full row group is written out. */
  rowAdded(): void {
    if (++this.groupRows >= this.options.rowGroupRows) this.endRowGroup();
  }

  private endRowGroup(): void {
    if (this.groupRows === 0) return;
    const start = this.out.offset;
    const chunks = this.ordered.map((column) => writeChunk(this.out, column));
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
      schema: schemaOf(this.table),
      num_rows: BigInt(this.rows),
      row_groups: this.rowGroups,
      metadata_length: 0,
    });
    this.out.appendUint32(MAGIC);
    for (const column of this.ordered) column.release();
    return this.out.getBytes();
  }
}
