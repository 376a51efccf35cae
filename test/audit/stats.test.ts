/**
 * Statistics over the archive the original Spark job wrote (fixtures/seed-spark-audit), checked
 * against numbers computed independently: DuckDB read the 104 rows, then a Python one-off applied
 * the original DAG's filter (no [INFO], no end rows) and counted senders, `HH:MM` of the
 * timestamp text, and words with the regex \w+(?:['.]\w+)* lower-cased. That regex and ICU's
 * word segmenter agree on every word but two mixed jamo/syllable tokens, which ICU splits where
 * the script changes: "ㅎ하" → ㅎ, 하 and "어ㅏ놔ㅓㅗㅁ나ㅗ" → 어, ㅏ, 놔, ㅓㅗㅁ, 나, ㅗ
 * (113 − 2 + 8 = 119 distinct words).
 */
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commitBatch, pack } from "../../lib/audit/commit.ts";
import { readMessages } from "../../lib/audit/read.ts";
import { addMessage, emptyTally, hourMinute, settle, summarize } from "../../lib/audit/stats.ts";
import { words } from "../../lib/audit/words.ts";
import { encode } from "../../lib/wire.ts";
import { repoRoot } from "../support/broker.ts";
import { runMain } from "../support/in-process.ts";

const sparkArchive = join(repoRoot, "test", "fixtures", "seed-spark-audit");

async function sparkSummary(filter = {}, top = 20) {
  const tally = emptyTally();
  const read = await readMessages(sparkArchive, filter, (m) =>
    addMessage(tally, m.sender, m.message, m.localMicros),
  );
  if ("message" in read) throw new Error(read.message);
  expect(read.files).toBe(24);
  return summarize(settle(tally), top);
}

test("user, word and time counts of the original Spark archive match the independent computation", async () => {
  const summary = await sparkSummary();
  expect(summary.messages).toBe(78);
  expect(summary.users).toEqual([
    { key: "kyuseok", count: 33 },
    { key: "joo", count: 14 },
    { key: "say", count: 9 },
    { key: "user2", count: 9 },
    { key: "user3", count: 8 },
    { key: "user1", count: 5 },
  ]);
  expect(summary.times).toEqual([
    { key: "16:37", count: 19 },
    { key: "16:45", count: 12 },
    { key: "16:36", count: 9 },
    { key: "16:38", count: 9 },
    { key: "15:12", count: 7 },
    { key: "15:13", count: 7 },
    { key: "16:46", count: 7 },
    { key: "12:47", count: 3 },
    { key: "15:11", count: 2 },
    { key: "16:34", count: 2 },
    { key: "12:46", count: 1 },
  ]);
  expect(summary.distinctWords).toBe(119);
  expect(summary.words.slice(0, 5)).toEqual([
    { key: "hello", count: 5 },
    { key: "hi", count: 4 },
    { key: "speak", count: 4 },
    { key: "it's", count: 3 },
    { key: "to", count: 3 },
  ]);
});

test("a date range outside the archive counts nothing; one inside counts everything", async () => {
  expect((await sparkSummary({ since: "2024-08-27" })).messages).toBe(0);
  expect((await sparkSummary({ since: "2024-08-26", until: "2024-08-26" })).messages).toBe(78);
});

test("dchat audit stats --json (lib/main.ts in-process) prints those counts; a bad date is a usage error", async () => {
  const result = await runMain(["audit", "stats", "--dir", sparkArchive, "--json", "--top", "20"]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const printed = JSON.parse(result.stdout);
  expect(printed).toMatchObject({ dir: sparkArchive, files: 24, ...(await sparkSummary()) });
  const day = await runMain(["audit", "stats", "--dir", sparkArchive, "--json", "--since", "2024-08-27"]);
  expect(JSON.parse(day.stdout).messages).toBe(0);
  const bad = await runMain(["audit", "stats", "--dir", sparkArchive, "--since", "yesterday"]);
  expect(bad.code).toBe(2);
  expect(bad.stdout).toBe("");
  expect(bad.stderr).toMatch(/^dchat audit: .*--since.*\n$/);
});

test("words are ICU word-like segments: Hangul, contractions and numbers, no punctuation", () => {
  expect(words("한국어랑 영어 섞으면")).toEqual(["한국어랑", "영어", "섞으면"]);
  expect(words("I'm planning, to visit Busan!")).toEqual(["i'm", "planning", "to", "visit", "busan"]);
  expect(words(";; ^^ *88")).toEqual(["88"]);
});

test("splitting at white space first finds the same words as segmenting the whole message", () => {
  const segmenter = new Intl.Segmenter("ko", { granularity: "word" });
  const whole = (text: string) =>
    [...segmenter.segment(text.normalize("NFC"))]
      .filter((s) => s.isWordLike)
      .map((s) => s.segment.toLowerCase());
  for (const text of ["ab\ufeffcd e", "a\u00a0b\u3000c", "it's 3.14, e.g. 1,000\nok", "ㅎ하 어ㅏ놔 👩‍💻 x"]) {
    expect(words(text)).toEqual(whole(text));
  }
});

test("hour:minute is read from the wall-clock value, before 1970 too", () => {
  const at = (iso: string) => BigInt(Date.parse(`${iso}Z`)) * 1000n;
  expect(hourMinute(at("2024-08-26T16:37:59.999"))).toBe("16:37");
  expect(hourMinute(at("2024-08-26T00:00:00"))).toBe("00:00");
  expect(hourMinute(at("1969-12-31T23:59:30"))).toBe("23:59");
  expect(hourMinute(at("1969-12-31T00:00:00"))).toBe("00:00");
});

test("stats over our archive count a batch once, and not at all while its raw file is missing", async () => {
  const out = mkdtempSync(join(tmpdir(), "dchat-audit-stats-"));
  try {
    const value = (sender: string, message: string) =>
      encode({ sender, message, end: false, timestamp: "2024-08-26T10:00:00.000001" });
    const records = [
      { offset: 7, timestampMs: 0, value: value("민수", "안녕 하세요") },
      { offset: 8, timestampMs: 0, value: value("[INFO]", "User [x] has entered the chat!\n") },
      { offset: 9, timestampMs: 0, value: value("jane", "hi\nthere") },
    ];
    commitBatch({ out, room: "방", topic: "t", partition: 0, records: pack(records), stats: false });
    const count = async () => {
      const tally = emptyTally();
      const read = await readMessages(out, {}, (m) => addMessage(tally, m.sender, m.message, m.localMicros));
      if ("message" in read) throw new Error(read.message);
      return summarize(settle(tally), 10);
    };
    const summary = await count();
    expect(summary.messages).toBe(2);
    expect(summary.words.map((w) => w.key).sort()).toEqual(["hi", "there", "안녕", "하세요"]);
    rmSync(join(out, "messages_audit"), { recursive: true });
    mkdirSync(join(out, "messages_audit"));
    expect((await count()).messages).toBe(0);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
