/**
 * `bun bench/stats/vocabulary.ts [--messages 600000] [--out DIR]` writes a synthetic archive
 * (`DIR/message_processed/date=…`, as `dchat audit` writes it) whose messages are eight random
 * 5–9-letter words each, so its vocabulary runs to millions of distinct words: the statistics'
 * worst case, which once took `dchat audit stats` 83 s and 9.4 GB for 600,000 messages. Then
 * `bun bench/stats/run.ts DIR` measures dchat and DuckDB over it.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ProcessedFile } from "../../lib/audit/archive.ts";
import { dataFileName, hiveDir, PROCESSED_DIR } from "../../lib/audit/files.ts";
import { repoRoot } from "../../test/support/broker.ts";

const { values } = parseArgs({ options: { messages: { type: "string" }, out: { type: "string" } } });
const messages = Number(values.messages ?? 600_000);
const out = values.out ?? join(repoRoot, ".cache", "bench", "vocabulary-archive");
const PER_FILE = 50_000;
const DAY_MS = Date.UTC(2024, 7, 26);

// A fixed-seed generator (xorshift32): the same archive every time.
let seed = 0x9e3779b9;
const next = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
const word = () => {
  let w = "";
  const length = 5 + Math.floor(next() * 5);
  for (let i = 0; i < length; i++) w += String.fromCharCode(97 + Math.floor(next() * 26));
  return w;
};

rmSync(out, { recursive: true, force: true });
const dir = join(out, PROCESSED_DIR, hiveDir("date", "2024-08-26"));
mkdirSync(dir, { recursive: true });
for (let first = 0; first < messages; first += PER_FILE) {
  const last = Math.min(messages, first + PER_FILE) - 1;
  const file = new ProcessedFile("vocabulary", "vocabulary", 0);
  for (let offset = first; offset <= last; offset++) {
    const text = Array.from({ length: 8 }, word).join(" ");
    file.add(offset, `user${offset % 50}`, text, (DAY_MS + (offset % 86_400) * 1000) * 1000);
  }
  writeFileSync(join(dir, dataFileName({ topic: "vocabulary", partition: 0, first, last })), file.finish());
}
console.log(`wrote ${messages.toLocaleString("en-US")} messages to ${out}`);
