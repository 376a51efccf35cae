/**
 * The reference reader for bench/stats: DuckDB (C++, vectorised, every core) computing the same
 * three statistics over `message_processed` in SQL. Its words are split at white space and
 * lower-cased, not segmented as dchat's are, so only the work (not the word list) compares.
 * Prints the message count.
 */
import { DuckDBInstance } from "@duckdb/node-api";

const dir = process.argv[2] as string;
const db = await DuckDBInstance.create(":memory:");
const connection = await db.connect();
const source = `read_parquet('${dir.replaceAll("'", "''")}/message_processed/**/*.parquet', hive_partitioning = true)`;
const queries = [
  `SELECT count(*) AS n FROM ${source}`,
  `SELECT sender, count(*) AS n FROM ${source} GROUP BY sender ORDER BY n DESC LIMIT 10`,
  `SELECT word, count(*) AS n FROM (SELECT unnest(string_split_regex(lower(message), '\\s+')) AS word FROM ${source}) WHERE word <> '' GROUP BY word ORDER BY n DESC LIMIT 10`,
  `SELECT strftime(timestamp, '%H:%M') AS minute, count(*) AS n FROM ${source} GROUP BY minute ORDER BY n DESC LIMIT 10`,
];
const results = [];
for (const sql of queries) results.push((await connection.runAndReadAll(sql)).getRowObjectsJson());
connection.closeSync();
console.log(JSON.stringify({ messages: Number(results[0]?.[0]?.n) }));
