/**
 * The Parquet format's own structures, as hyparquet-writer writes them: the byte writer, page
 * headers, RLE/bit-packed runs and the thrift footer; with hyparquet's types for them. The only
 * module that imports hyparquet-writer. Its root export offers whole-file writers only (values
 * as JS arrays, which is what this folder avoids, see file.ts), so the three writers come from
 * the `./src/*.js` subpaths the package's `exports` map declares for this use.
 */
export type { ColumnChunk, ParquetType, RowGroup, SchemaElement, Statistics } from "hyparquet";
export { ByteWriter } from "hyparquet-writer";
export { writePageHeader } from "hyparquet-writer/src/datapage.js";
export { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
export { writeMetadata } from "hyparquet-writer/src/metadata.js";
