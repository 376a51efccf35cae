/**
 * `dchat audit report` opened in real headless Chromium (@sparticuz/chromium): the numbers the
 * page shows — its figures, its tables and the data of its charts — equal `dchat audit stats
 * --json` over the same archive; the page loads nothing from the network; Hangul is drawn with
 * the font the file carries; text from the chat cannot run in the page. A screenshot of each
 * report is kept under .tmp/report/ (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
import { roomToTopic } from "../../lib/rooms.ts";
import { encode } from "../../lib/wire.ts";
import { createTopic, deleteCreatedTopics, kafkaFor, produce, runAuditProcess } from "../audit/support.ts";
import { brokerAddress, repoRoot, uniqueName } from "../support/broker.ts";
import { recordingPage, startBrowser } from "../support/browser.ts";

const artifacts = join(repoRoot, ".tmp", "report");
const sparkArchive = join(repoRoot, "test", "fixtures", "seed-spark-audit");
const hostile = "</script><script>window.pwned=1</script><img src=x onerror=window.pwned=2>";

let browser: Browser;
let brokers: string;
let archive: string;
const rooms = { plain: uniqueName("report"), hangul: `보고서 방 ${uniqueName("r")}` };

/** The little of the DOM the page is read through (the tests are typed without the DOM library). */
interface Node {
  textContent: string | null;
  querySelectorAll(selector: string): ArrayLike<Node>;
}
interface PageGlobals {
  document: Node & {
    querySelector(selector: string): Node | null;
    fonts: { check(font: string, text: string): boolean } & Iterable<{ status: string }>;
  };
  Chart: { getChart(id: string): { data: { labels: string[]; datasets: { data: number[] }[] } } };
  pwned?: number;
}

interface Entry {
  key: string;
  count: number;
}
interface Stats {
  messages: number;
  senders: number;
  distinctWords: number;
  users: Entry[];
  words: Entry[];
  times: Entry[];
}

beforeAll(async () => {
  browser = await startBrowser();
  brokers = await brokerAddress();
  mkdirSync(artifacts, { recursive: true });
  archive = join(artifacts, uniqueName("archive"));
  const kafka = kafkaFor(brokers);
  const seed = readFileSync(join(repoRoot, "test", "fixtures", "seed-chat", "messages.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line !== "");
  const hangulTopic = roomToTopic(rooms.hangul) as string;
  await createTopic(kafka, rooms.plain, 2);
  await createTopic(kafka, hangulTopic, 1);
  await produce(
    kafka,
    rooms.plain,
    seed.map((value, i) => ({ partition: i % 2, value })),
  );
  const hangul = [
    ["민수", "안녕하세요 오늘 회의 몇 시예요"],
    ["지영", "회의는 세 시입니다"],
    ["민수", "회의 자료 공유할게요"],
    [hostile, `<b>굵게</b> ${hostile}`],
    ["지영", "좋아요 회의 때 봬요"],
  ].map(([sender, message], i) => ({
    partition: 0,
    value: encode({
      sender: sender as string,
      message: message as string,
      end: false,
      timestamp: `2024-09-0${1 + (i % 3)}T0${i}:15:00.000001`,
    }),
  }));
  await produce(kafka, hangulTopic, hangul);
  const audited = await runAuditProcess([
    "--out",
    archive,
    "--rooms",
    `${rooms.plain},${rooms.hangul}`,
    "--no-stats",
    "--brokers",
    brokers,
  ]);
  if (audited.code !== 0) throw new Error(`dchat audit failed: ${audited.stderr}`);
});

afterAll(async () => {
  await browser?.close();
  await deleteCreatedTopics(brokers);
});

async function stats(args: string[]): Promise<Stats> {
  const result = await runAuditProcess(["stats", ...args, "--top", "1000", "--json"]);
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout);
}

/** Writes the report and reads it the way a person would: in the browser. */
async function openReport(args: string[], name: string) {
  const out = join(artifacts, `${name}.html`);
  const written = await runAuditProcess(["report", ...args, "--top", "1000", "--out", out]);
  expect(written.stderr).toBe("");
  expect(written.code).toBe(0);
  const { page, requests, failed } = await recordingPage(browser);
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(`file://${out}`);
  await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  const read = await page.evaluate(() => {
    const { document, Chart, pwned } = globalThis as unknown as PageGlobals;
    const stat = (key: string) => document.querySelector(`[data-stat=${key}]`)?.textContent ?? "";
    const rows = (id: string) =>
      Array.from(document.querySelectorAll(`#${id} tbody tr`)).map((tr) =>
        Array.from(tr.querySelectorAll("td")).map((td) => td.textContent ?? ""),
      );
    // Chart.js keeps each chart's data on its instance; what the canvases were drawn from.
    const chart = (id: string) => {
      const c = Chart.getChart(id);
      return { labels: c.data.labels, values: c.data.datasets[0]?.data ?? [] };
    };
    return {
      stats: Object.fromEntries(
        ["messages", "senders", "distinctWords", "rooms", "files", "first", "last"].map((k) => [k, stat(k)]),
      ),
      senders: rows("table-senders"),
      words: rows("table-words"),
      times: rows("table-times"),
      rooms: rows("table-rooms"),
      timeline: rows("table-timeline"),
      charts: {
        senders: chart("chart-senders"),
        words: chart("chart-words"),
        rooms: chart("chart-rooms"),
        timeline: chart("chart-timeline"),
      },
      hangulFont: document.fonts.check("16px 'Noto Sans KR'", "회의"),
      fontsLoaded: Array.from(document.fonts).filter((f) => f.status === "loaded").length,
      pwned: pwned ?? null,
    };
  });
  await page.close();
  return { read, requests, failed, out };
}

const num = (text: string) => Number(text.replaceAll(",", ""));
const entries = (rows: string[][]) => rows.map(([key, count]) => ({ key, count: num(count ?? "") }));

function expectSameNumbers(read: Awaited<ReturnType<typeof openReport>>["read"], expected: Stats) {
  expect(num(read.stats.messages as string)).toBe(expected.messages);
  expect(num(read.stats.senders as string)).toBe(expected.senders);
  expect(num(read.stats.distinctWords as string)).toBe(expected.distinctWords);
  expect(entries(read.senders)).toEqual(expected.users);
  expect(entries(read.times)).toEqual(expected.times);
  // The cloud holds the 100 most used words, stats' order and counts.
  expect(entries(read.words)).toEqual(expected.words.slice(0, 100));
  expect(read.charts.senders).toEqual({
    labels: expected.users.map((e) => e.key),
    values: expected.users.map((e) => e.count),
  });
  expect(read.charts.words.labels).toEqual(expected.words.slice(0, 100).map((e) => e.key));
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  expect(sum(read.charts.timeline.values)).toBe(expected.messages);
  expect(sum(read.timeline.map((r) => num(r[1] ?? "")))).toBe(expected.messages);
  expect(sum(read.charts.rooms.values)).toBe(expected.messages);
}

function expectOffline(requests: string[], failed: string[], out: string) {
  expect(failed).toEqual([]);
  expect(requests[0]).toBe(`file://${out}`);
  // The fonts are data: URLs inside the file; nothing else is asked for.
  expect(requests.slice(1).every((url) => url.startsWith("data:font/woff2;base64,"))).toBe(true);
  expect(requests.length).toBe(3);
}

describe("dchat audit report", () => {
  test("a dchat archive of two rooms: the page's numbers are stats --json's, offline, Hangul in its own font", async () => {
    const expected = await stats(["--dir", archive]);
    expect(expected.messages).toBe(61 + 5);
    const { read, requests, failed, out } = await openReport(["--dir", archive], "two-rooms");
    expectSameNumbers(read, expected);
    expect(read.stats.rooms).toBe("2");
    const perRoom = Object.fromEntries(read.rooms.map(([room, messages]) => [room, num(messages ?? "")]));
    expect(perRoom[rooms.hangul]).toBe(5);
    expect((await stats(["--dir", archive, "--room", rooms.plain])).messages).toBe(perRoom[rooms.plain]);
    expect(read.senders.map((r) => r[0])).toContain(hostile);
    expect(read.pwned).toBeNull();
    expect(read.hangulFont).toBe(true);
    expect(read.fontsLoaded).toBeGreaterThanOrEqual(1);
    expectOffline(requests, failed, out);
    // Aggregates only: the 1 MB of Chart.js and fonts, not the rows.
    expect(statSync(out).size).toBeLessThan(1.5 * 1024 * 1024);
  });

  test("--room and --since/--until select as stats does", async () => {
    const args = ["--dir", archive, "--room", rooms.hangul, "--since", "2024-09-02", "--until", "2024-09-03"];
    const expected = await stats(args);
    expect(expected.messages).toBe(3);
    const { read } = await openReport(args, "hangul-room-dates");
    expectSameNumbers(read, expected);
    expect(read.stats.first).toBe("2024-09-02 01:15");
    expect(read.stats.last).toBe("2024-09-03 02:15");
  });

  test("the original Spark job's archive reads the same way", async () => {
    const expected = await stats(["--dir", sparkArchive]);
    const { read, requests, failed, out } = await openReport(["--dir", sparkArchive], "spark-archive");
    expectSameNumbers(read, expected);
    expect(read.stats.files).toBe("24");
    expect(read.rooms).toEqual([["(no room)", "78", "6"]]);
    expectOffline(requests, failed, out);
  });

  test("bad selections are one line each", async () => {
    const missing = await runAuditProcess([
      "report",
      "--dir",
      join(artifacts, "nothing-here"),
      "--out",
      "x.html",
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toStartWith("dchat audit: no audit archive at ");
    expect(missing.stderr.trimEnd().split("\n")).toHaveLength(1);
    const date = await runAuditProcess(["report", "--dir", archive, "--since", "yesterday"]);
    expect([date.code, date.stderr]).toEqual([
      2,
      'dchat audit: report --since must be a date like 2024-08-26, got "yesterday"\n',
    ]);
    const out = await runAuditProcess([
      "report",
      "--dir",
      archive,
      "--out",
      join(artifacts, "no-dir", "r.html"),
    ]);
    expect(out.code).toBe(1);
    expect(out.stderr).toStartWith("dchat audit: cannot write the report: ");
  });
});
