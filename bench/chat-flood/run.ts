/**
 * Chat under a flood: a producer writes 5,000 records/s into a room while keys are typed into a
 * `dchat chat` client in a pseudo-terminal. Key-to-echo delay is measured from the key written to
 * the PTY until the input row shows it, read from a headless xterm fed the client's output.
 *
 * Two variants, one after the other:
 * - one room, flooded and shown (10 s): frames, echo, keys lost, RSS;
 * - 20 rooms joined, the flood in a room that is not shown (2 minutes): echo (goals p99 ≤ 16 ms,
 *   worst ≤ 50 ms), RSS each second (goal: no growth after the first 30 s), and then Alt-2 to
 *   the flooded room holding 10,000 messages: key → its newest message drawn (goal ≤ 16 ms).
 * Reference in the same run: keys typed into `cat` in raw mode (it writes each byte straight back)
 * through the same PTY + headless xterm while the same flood is produced: the floor of what this
 * harness can measure on this machine at this moment (the machine may be shared).
 *
 *   bun bench/chat-flood/run.ts [--rate 5000] [--seconds 10] [--rooms-seconds 120] [--only one|rooms]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureTopic, type Kafka, kafkajsOf, openKafka } from "../../lib/kafka/index.ts";
import { encode, textRecord } from "../../lib/wire.ts";
import { chatCommandLine } from "../../test/chat/pty.ts";
import { brokerAddress, repoRoot, uniqueName } from "../../test/support/broker.ts";
import { HeadlessTerminal } from "../../test/term/headless.ts";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "10" },
    "rooms-seconds": { type: "string", default: "120" },
    only: { type: "string" },
  },
});
const rate = Number(values.rate);
const brokers = await brokerAddress();
const size = { cols: 100, rows: 30 };
const inputRow = size.rows - 3;
const env = { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home"), TERM: "xterm-256color" };
const client = openKafka({ brokers: [brokers], clientId: "dchat-bench", ssl: false });
// kafkajs itself for the flooding producer.
const kafka = kafkajsOf(client);

/** A program in a PTY whose output feeds a headless xterm; `parsedArrival` is when the last parsed chunk came. */
function terminal(command: string[]) {
  const screen = new HeadlessTerminal(size.cols, size.rows);
  const state = { frames: 0, parsedArrival: 0, parsing: Promise.resolve() };
  const proc = Bun.spawn(command, {
    terminal: {
      ...size,
      data: (_t, bytes) => {
        const copy = new Uint8Array(bytes);
        // Each frame starts with the synchronized-output mode on: ESC [ ? 2 0 2 6 h.
        for (let i = copy.indexOf(0x1b); i >= 0; i = copy.indexOf(0x1b, i + 1)) {
          if (
            copy[i + 1] === 0x5b &&
            copy[i + 2] === 0x3f &&
            copy[i + 3] === 0x32 &&
            copy[i + 6] === 0x36 &&
            copy[i + 7] === 0x68
          )
            state.frames++;
        }
        const arrived = performance.now();
        state.parsing = state.parsing
          .then(() => screen.write(copy))
          .then(() => {
            state.parsedArrival = arrived;
          });
      },
    },
    env,
  });
  const until = async (check: () => boolean, timeoutMs: number): Promise<boolean> => {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      await state.parsing;
      if (check()) return true;
      await Bun.sleep(1);
    }
    return false;
  };
  return { screen, state, proc, until };
}

type Term = ReturnType<typeof terminal>;

function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Writes `rate` records/s into `topic` for `seconds`; resolves with the number written. */
async function flood(k: Kafka, topic: string, seconds: number): Promise<number> {
  const producer = k.producer();
  await producer.connect();
  let produced = 0;
  const started = performance.now();
  const batch = Math.max(1, Math.round(rate / 100));
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    if (produced < due) {
      const n = Math.min(batch * 4, due - produced);
      const now = new Date();
      const messages = Array.from({ length: n }, (_, i) => ({
        value: encode(
          textRecord(`user${(produced + i) % 13}`, `flood ${produced + i} 메시지 홍수 테스트`, now),
        ),
      }));
      await producer.send({ topic, acks: 1, messages });
      produced += n;
    } else await Bun.sleep(2);
  }
  await producer.disconnect();
  return produced;
}

/** Types keys (every 20 ms) while `busy()` holds; echo delays in ms and keys not echoed in 5 s. */
async function typeWhile(t: Term, row: number, prompt: string, busy: () => boolean, clear: string) {
  const delays: number[] = [];
  let lost = 0;
  let typed = "";
  const alphabet = "가나다라마바사아자차카타파하abcdefghij";
  let k = 0;
  while (busy()) {
    if (typed.length >= 30) {
      t.proc.terminal?.write(clear);
      if (!(await t.until(() => t.screen.row(row).trimEnd() === prompt.trimEnd(), 5000))) lost++;
      typed = "";
    }
    const char = alphabet[k++ % alphabet.length] as string;
    typed += char;
    const start = performance.now();
    t.proc.terminal?.write(char);
    if (await t.until(() => t.screen.row(row) === `${prompt}${typed}`, 5000))
      delays.push(t.state.parsedArrival - start);
    else lost++;
    await Bun.sleep(20);
  }
  delays.sort((a, b) => a - b);
  return { delays, lost };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const echoLine = (d: number[]) => `p50 ${ms(pct(d, 50))}  p99 ${ms(pct(d, 99))}  worst ${ms(d.at(-1) ?? 0)}`;

async function deleteTopics(topics: string[]) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
}

/**
 * The reference: keys typed into `cat` in raw mode, which writes each byte back at once, in the
 * same PTY + headless xterm harness, for `seconds` (`CR ESC[K`, echoed too, clears the row).
 */
async function reference(seconds: number) {
  const t = terminal(["sh", "-c", "stty raw -echo && exec cat"]);
  const topic = uniqueName("bench-flood-ref");
  await ensureTopic(client, topic);
  await Bun.sleep(300);
  // The same flood from this process, into a room nobody reads: the harness under the same load.
  let producing = true;
  const flooding = flood(kafka, topic, seconds).then(() => {
    producing = false;
  });
  const result = await typeWhile(t, 0, "", () => producing, "\r\x1b[K");
  await flooding;
  t.proc.kill();
  await deleteTopics([topic]);
  return result;
}

async function oneRoom(seconds: number) {
  const room = uniqueName("bench-flood");
  await ensureTopic(client, room);
  const t = terminal([
    ...chatCommandLine(),
    "--room",
    room,
    "--user",
    "typist",
    "--brokers",
    brokers,
    "--history",
    "0",
  ]);
  await t.until(() => t.screen.rows().join("\n").includes("User [typist] has entered the chat!"), 30_000);
  const rssStart = rss(t.proc.pid);
  const cpuStart = cpuSeconds(t.proc.pid);
  const framesStart = t.state.frames;
  let producing = true;
  let produced = 0;
  const flooding = flood(kafka, room, seconds).then((n) => {
    produced = n;
    producing = false;
  });
  const { delays, lost } = await typeWhile(t, inputRow, "YOU: ", () => producing, "\x15");
  await flooding;
  const drained = await t.until(
    () =>
      t.screen
        .rows()
        .join("\n")
        .includes(`flood ${produced - 1} 메시지`),
    60_000,
  );
  const rssEnd = rss(t.proc.pid);
  const cpu = cpuSeconds(t.proc.pid) - cpuStart;
  const frames = t.state.frames - framesStart;
  t.proc.terminal?.write("\x15exit\r");
  await t.proc.exited;
  await deleteTopics([room]);
  console.log(
    `one room: ${produced} records in ${seconds} s (${Math.round(produced / seconds)}/s), shown while typing`,
  );
  console.log(
    `  frames drawn: ${frames} (≈${Math.round(frames / seconds)}/s); keys typed ${delays.length + lost}, lost ${lost}`,
  );
  console.log(`  key-to-echo: ${echoLine(delays)}`);
  console.log(
    `  last record drawn: ${drained ? "yes" : "NO"}; CPU ${cpu.toFixed(1)} s (${Math.round((cpu / seconds) * 100)}% of a core)`,
  );
  console.log(`  RSS: start ${rssStart.toFixed(1)} MiB, end ${rssEnd.toFixed(1)} MiB`);
  return delays;
}

async function twentyRooms(seconds: number) {
  const base = uniqueName("bench-rooms");
  const rooms = Array.from({ length: 20 }, (_, i) => `${base}-${i + 1}`);
  await Promise.all(rooms.map((room) => ensureTopic(client, room)));
  const t = terminal([
    ...chatCommandLine(),
    ...["--room", rooms.join(","), "--user", "typist", "--brokers", brokers, "--history", "0"],
  ]);
  const bar = () => t.screen.row(inputRow - 1);
  await t.until(() => t.screen.rows().join("\n").includes("User [typist] has entered the chat!"), 60_000);
  const flooded = rooms[1] as string;
  const rssSamples: number[] = [];
  const sampler = setInterval(() => rssSamples.push(rss(t.proc.pid)), 1000);
  const cpuStart = cpuSeconds(t.proc.pid);
  let producing = true;
  let produced = 0;
  const flooding = flood(kafka, flooded, seconds).then((n) => {
    produced = n;
    producing = false;
  });
  const { delays, lost } = await typeWhile(t, inputRow, "YOU: ", () => producing, "\x15");
  await flooding;
  clearInterval(sampler);
  const cpu = cpuSeconds(t.proc.pid) - cpuStart;
  // Everything delivered: the bar counts 10,000+ new messages in room 2 once the backlog is read.
  await t.until(
    () => /2:#\S+\((\d+)\)/.test(bar()) && Number(/2:#\S+\((\d+)\)/.exec(bar())?.[1]) >= produced,
    60_000,
  );
  const last = `flood ${produced - 1} 메시지`;
  const start = performance.now();
  t.proc.terminal?.write("\x1b2");
  const switched = await t.until(() => t.screen.rows().join("\n").includes(last), 5000);
  const switchMs = t.state.parsedArrival - start;
  t.proc.terminal?.write("\x1b1");
  await t.until(() => !t.screen.rows().join("\n").includes(last), 5000);
  const start2 = performance.now();
  t.proc.terminal?.write("\x1b2");
  await t.until(() => t.screen.rows().join("\n").includes(last), 5000);
  const switchBackMs = t.state.parsedArrival - start2;
  t.proc.terminal?.write("\x15exit\r");
  await t.proc.exited;
  await deleteTopics(rooms);
  // RSS saw-tooths with the garbage collector: compare 30 s windows, not single samples.
  const windows: { mean: number; max: number }[] = [];
  for (let i = 0; i + 30 <= rssSamples.length; i += 30) {
    const part = rssSamples.slice(i, i + 30);
    windows.push({ mean: part.reduce((a, b) => a + b, 0) / part.length, max: Math.max(...part) });
  }
  const later = windows.slice(1);
  const growth =
    later.length > 1
      ? (later.at(-1) as { mean: number }).mean - (later[0] as { mean: number }).mean
      : Number.NaN;
  console.log(
    `20 rooms joined: ${produced} records in ${seconds} s (${Math.round(produced / seconds)}/s) into room 2 while room 1 is shown and typed in`,
  );
  console.log(
    `  keys typed ${delays.length + lost}, lost ${lost}; key-to-echo: ${echoLine(delays)}  (goals p99 ≤ 16 ms, worst ≤ 50 ms)`,
  );
  console.log(
    `  Alt-2 to the flooded room (10,000 messages kept): newest message drawn ${switched ? ms(switchMs) : "NOT within 5 s"}, again ${ms(switchBackMs)}  (goal ≤ 16 ms)`,
  );
  console.log(`  CPU ${cpu.toFixed(1)} s (${Math.round((cpu / seconds) * 100)}% of a core)`);
  console.log(
    `  RSS by 30 s window (mean / max): ${windows.map((w) => `${w.mean.toFixed(0)}/${w.max.toFixed(0)}`).join("  ")} MiB; last window − second window: ${growth.toFixed(1)} MiB  (goal: flat after the first 30 s)`,
  );
  return delays;
}

const only = values.only;
const ref = await reference(10);
console.log(
  `reference: ${ref.delays.length} keys echoed by \`cat\` (raw mode) through the same PTY + headless xterm, same flood: ${echoLine(ref.delays)}`,
);
const refP99 = pct(ref.delays, 99);
if (only !== "rooms") {
  const d = await oneRoom(Number(values.seconds));
  console.log(`  echo p99 ÷ reference p99: ${(pct(d, 99) / refP99).toFixed(1)}×`);
}
if (only !== "one") {
  const d = await twentyRooms(Number(values["rooms-seconds"]));
  console.log(`  echo p99 ÷ reference p99: ${(pct(d, 99) / refP99).toFixed(1)}×`);
}
