/**
 * A Parquet schema as one table: per column its name (the key), type, encoder and whether it
 * keeps min/max statistics. A file's schema elements and its column encoders both come from the
 * table, in the table's order, so no column can be paired with another's element. An encoder
 * takes only the physical types it can write (`column(STRING, …, PLAIN_INT, …)` does not
 * type-check).
 */
import { BooleanColumn, type Column, DictionaryColumn, IntColumn, PlainBytesColumn } from "./encodings.ts";
import type { ParquetType, SchemaElement } from "./format.ts";

/** A column type: a physical type and the annotations that tell readers what it holds. */
export interface ColumnType<P extends ParquetType> {
  type: P;
  annotations: Omit<SchemaElement, "name" | "type" | "repetition_type" | "num_children">;
}

export const STRING: ColumnType<"BYTE_ARRAY"> = {
  type: "BYTE_ARRAY",
  annotations: { converted_type: "UTF8", logical_type: { type: "STRING" } },
};
export const BYTES: ColumnType<"BYTE_ARRAY"> = { type: "BYTE_ARRAY", annotations: {} };
export const INT32: ColumnType<"INT32"> = { type: "INT32", annotations: {} };
export const INT64: ColumnType<"INT64"> = { type: "INT64", annotations: {} };
export const BOOLEAN: ColumnType<"BOOLEAN"> = { type: "BOOLEAN", annotations: {} };
/** An instant: microseconds since the epoch, UTC. */
export const UTC_MICROS: ColumnType<"INT64"> = {
  type: "INT64",
  annotations: {
    converted_type: "TIMESTAMP_MICROS",
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
  },
};
/**
 * A wall-clock reading in microseconds, no zone. No converted_type: TIMESTAMP_MICROS would
 * claim UTC.
 */
export const LOCAL_MICROS: ColumnType<"INT64"> = {
  type: "INT64",
  annotations: { logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MICROS" } },
};

/** Makes a column's encoder `C`; `P`, the physical types it writes, is contravariant. */
export interface Encoder<in P extends ParquetType, C> {
  create(element: SchemaElement & { type: P }, statistics: boolean): C;
}

/** Byte arrays stored as they are: long values that rarely repeat. */
export const PLAIN_BYTES: Encoder<"BYTE_ARRAY", PlainBytesColumn> = {
  create: (element, statistics) => new PlainBytesColumn(element, statistics),
};
/** Few distinct strings: a dictionary page and indexes into it. */
export const DICTIONARY: Encoder<"BYTE_ARRAY", DictionaryColumn> = {
  create: (element, statistics) => new DictionaryColumn(element, statistics),
};
export const PLAIN_INT: Encoder<"INT32" | "INT64", IntColumn> = {
  create: (element, statistics) => new IntColumn(element, statistics),
};
export const PLAIN_BOOLEAN: Encoder<"BOOLEAN", BooleanColumn> = {
  create: (element, statistics) => new BooleanColumn(element, statistics),
};

export interface ColumnSpec<C> {
  element: Omit<SchemaElement, "name">;
  create(name: string): C;
}

export type Presence = "REQUIRED" | "OPTIONAL";

/** One row of a table: type, presence, encoder, statistics on or off. */
export function column<P extends ParquetType, C>(
  type: ColumnType<P>,
  presence: Presence,
  encoder: Encoder<NoInfer<P>, C>,
  statistics: boolean,
): ColumnSpec<C> {
  const element = { type: type.type, ...type.annotations, repetition_type: presence };
  return { element, create: (name) => encoder.create({ name, ...element }, statistics) };
}

/** Column name → its spec; the key order is the file's column order. */
export type Table = Record<string, ColumnSpec<Column<never>>>;

/** A table's column encoders by name. */
export type Columns<T extends Table> = {
  readonly [K in keyof T]: T[K] extends ColumnSpec<infer C> ? C : never;
};

export function schemaOf(table: Table): SchemaElement[] {
  const entries = Object.entries(table);
  return [
    { name: "schema", num_children: entries.length },
    ...entries.map(([name, spec]) => ({ name, ...spec.element })),
  ];
}

export function columnsOf<T extends Table>(table: T): Columns<T> {
  return Object.fromEntries(
    Object.entries(table).map(([name, spec]) => [name, spec.create(name)]),
  ) as Columns<T>;
}
