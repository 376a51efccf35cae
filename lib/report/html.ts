/**
 * The report as one HTML file: the figures as text and tables (readable without scripts, and
 * by a screen reader), and the charts drawn by Chart.js from the same data embedded as JSON.
 * Everything is inline — scripts, styles, fonts — and the page's Content-Security-Policy
 * forbids every network load, so opening it fetches nothing. Text from the archive (senders,
 * words, rooms) is escaped; on canvases it is only ever drawn as text.
 */
import type { ReportData } from "./aggregate.ts";
import { fontFaces, scripts } from "./assets.ts";
import drawScript from "./draw.browser.js" with { type: "text" };

export interface ReportHeading {
  dir: string;
  room?: string;
  since?: string;
  until?: string;
  files: number;
  generated: Date;
}

const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; font-src data:; img-src data:";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
const number = (n: number) => n.toLocaleString("en-US");

/** JSON that cannot end the <script> element it sits in. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

function table(
  caption: string,
  head: string[],
  rows: (string | number)[][],
  id: string,
  open = false,
): string {
  const cells = (row: (string | number)[]) =>
    row
      .map((cell) =>
        typeof cell === "number" ? `<td class="n">${number(cell)}</td>` : `<td>${escapeHtml(cell)}</td>`,
      )
      .join("");
  return `<details${open ? " open" : ""}><summary>${escapeHtml(caption)}</summary><table id="${id}"><thead><tr>${head
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join(
      "",
    )}</tr></thead><tbody>${rows.map((r) => `<tr>${cells(r)}</tr>`).join("")}</tbody></table></details>`;
}

function fact(label: string, key: string, value: string): string {
  return `<div><dt>${escapeHtml(label)}</dt><dd data-stat="${key}">${escapeHtml(value)}</dd></div>`;
}

const STYLE = `
body { font-family: 'Noto Sans KR', sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1a202c; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta { color: #4a5568; margin-top: 0; }
dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .8rem; }
dl div { background: #edf2f7; border-radius: .4rem; padding: .6rem .8rem; }
dt { color: #4a5568; font-size: .85rem; } dd { margin: 0; font-size: 1.3rem; font-weight: 600; }
.chart { position: relative; height: 20rem; } .tall { height: 28rem; }
section.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 2rem; }
@media (max-width: 50rem) { section.pair { grid-template-columns: 1fr; } }
table { border-collapse: collapse; margin: .5rem 0; } td, th { padding: .15rem .8rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } tbody tr:nth-child(odd) { background: #f7fafc; }
summary { cursor: pointer; color: #2b6cb0; }`;

export async function reportHtml(data: ReportData, heading: ReportHeading): Promise<string> {
  const fonts = await fontFaces();
  const face = (base64: string, range: string) =>
    `@font-face { font-family: 'Noto Sans KR'; font-weight: 400; font-display: block; src: url(data:font/woff2;base64,${base64}) format('woff2');${range} }`;
  const selection = [
    heading.room !== undefined ? `room ${heading.room}` : "every room",
    heading.since !== undefined ? `from ${heading.since}` : "",
    heading.until !== undefined ? `until ${heading.until}` : "",
  ]
    .filter((s) => s !== "")
    .join(", ");
  const unitWord = { minute: "minute", hour: "hour", day: "day", month: "month", year: "year" }[
    data.timeline.unit
  ];
  return `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dchat audit report</title>
<style>${face(fonts.latin, " unicode-range: U+0000-00FF, U+2000-206F;")}
${face(fonts.korean, "")}${STYLE}</style>
</head>
<body>
<h1>dchat audit report</h1>
<p class="meta">${escapeHtml(heading.dir)} · ${escapeHtml(selection)} · generated ${escapeHtml(heading.generated.toISOString())}</p>
<dl>
${fact("messages", "messages", number(data.messages))}
${fact("senders", "senders", number(data.senders))}
${fact("distinct words", "distinctWords", number(data.distinctWords))}
${fact("rooms", "rooms", number(data.rooms.length))}
${fact("first message", "first", data.first ?? "—")}
${fact("last message", "last", data.last ?? "—")}
${fact("Parquet files read", "files", number(heading.files))}
</dl>
<h2>Messages per ${unitWord}</h2>
<div class="chart"><canvas id="chart-timeline" role="img" aria-label="messages per ${unitWord}"></canvas></div>
${table(`messages per ${unitWord}`, [unitWord, "messages"], data.timeline.points, "table-timeline")}
<section class="pair">
<div><h2>Top senders</h2>
<div class="chart tall"><canvas id="chart-senders" role="img" aria-label="top senders"></canvas></div>
${table(
  "top senders",
  ["sender", "messages"],
  data.users.map((e) => [e.key, e.count]),
  "table-senders",
)}</div>
<div><h2>Most used words</h2>
<div class="chart tall"><canvas id="chart-words" role="img" aria-label="word cloud"></canvas></div>
${table(
  "most used words",
  ["word", "uses"],
  data.words.map((e) => [e.key, e.count]),
  "table-words",
)}</div>
</section>
<section class="pair">
<div><h2>Rooms</h2>
<div class="chart"><canvas id="chart-rooms" role="img" aria-label="messages per room"></canvas></div>
${table(
  "rooms",
  ["room", "messages", "senders"],
  data.rooms.map((r) => [r.room ?? "(no room)", r.messages, r.senders]),
  "table-rooms",
)}</div>
<div><h2>Busiest minutes of the day</h2>
${table(
  "busiest minutes of the day (local time)",
  ["time", "messages"],
  data.times.map((e) => [e.key, e.count]),
  "table-times",
  true,
)}</div>
</section>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
${scripts.map((s) => `<script>${s.replace(/<\/script/gi, "<\\/script")}</script>`).join("\n")}
<script>${drawScript}</script>
</body>
</html>
`;
}
