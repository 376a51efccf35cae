/**
 * Chat under a flood: a producer writes 5,000 records/s into the room for 10 s while keys are
 * typed into a `dchat chat` client in a pseudo-terminal. Prints frames drawn, key-to-echo delay
 * (key written to the PTY → the input row shows it, read from a headless xterm fed the client's
 * output), keys lost, and the client's RSS at start and end.
 *
 *   bun bench/chat-flood/run.ts [--rate 5000] [--seconds 10]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connectKafka, ensureTopic } from "../../lib/kafka.ts";
import { encode, textRecord } from "../../lib/wire.ts";
import { chatCommandLine } from "../../test/chat/pty.ts";
import { brokerAddress, repoRoot, uniqueName } from "../../test/support/broker.ts";
import { HeadlessTerminal } from "../../test/term/headless.ts";

const { values } = parseArgs({
  options: { rate: { type: "string", default: "5000" }, seconds: { type: "string", default: "10" } },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const brokers = await brokerAddress();
const room = uniqueName("bench-flood");
const size = { cols: 100, rows: 30 };
const inputRow = size.rows - 3;

const kafka = connectKafka({ brokers: [brokers], clientId: "dchat-bench", ssl: false });
await ensureTopic(kafka, room);
const producer = kafka.producer();
await producer.connect();

const screen = new HeadlessTerminal(size.cols, size.rows);
let frames = 0;
/** When the chunk parsed last arrived from the PTY: echo times exclude the bench's own parsing. */
let parsedArrival = 0;
let parsing: Promise<void> = Promise.resolve();
const chat = Bun.spawn(
  [...chatCommandLine(), "--room", room, "--user", "typist", "--brokers", brokers, "--history", "0"],
  {
    terminal: {
      ...size,
      data: (_t, bytes) => {
        const copy = new Uint8Array(bytes);
        for (let i = copy.indexOf(0x1b); i >= 0; i = copy.indexOf(0x1b, i + 1)) {
          if (
            copy[i + 1] === 0x5b &&
            copy[i + 2] === 0x3f &&
            copy[i + 3] === 0x32 &&
            copy[i + 6] === 0x36 &&
            copy[i + 7] === 0x68
          )
            frames++;
        }
        const arrived = performance.now();
        parsing = parsing
          .then(() => screen.write(copy))
          .then(() => {
            parsedArrival = arrived;
          });
      },
    },
    env: { PATH: process.env.PATH ?? "", HOME: join(repoRoot, ".tmp", "home"), TERM: "xterm-256color" },
  },
);

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    await parsing;
    if (check()) return true;
    await Bun.sleep(1);
  }
  return false;
}

/** CPU seconds (user + system) the chat process has used so far. */
function cpuSeconds(): number {
  const fields = readFileSync(`/proc/${chat.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rss(): number {
  const status = readFileSync(`/proc/${chat.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

await until(() => screen.rows().join("\n").includes("User [typist] has entered the chat!"), 30_000);
const rssStart = rss();
const cpuStart = cpuSeconds();
const framesStart = frames;

let produced = 0;
let producing = true;
const flood = (async () => {
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
      await producer.send({ topic: room, acks: 1, messages });
      produced += n;
    } else await Bun.sleep(2);
  }
  producing = false;
})();

const delays: number[] = [];
const rssSamples: number[] = [];
const sampler = setInterval(() => rssSamples.push(rss()), 1000);
let lost = 0;
let typed = "";
const alphabet = "가나다라마바사아자차카타파하abcdefghij";
let k = 0;
while (producing) {
  if (typed.length >= 30) {
    chat.terminal?.write("\x15");
    if (!(await until(() => screen.row(inputRow) === "YOU: ", 5000))) lost++;
    typed = "";
  }
  const char = alphabet[k++ % alphabet.length] as string;
  typed += char;
  const start = performance.now();
  chat.terminal?.write(char);
  if (await until(() => screen.row(inputRow) === `YOU: ${typed}`, 5000)) delays.push(parsedArrival - start);
  else lost++;
  await Bun.sleep(20);
}
await flood;
clearInterval(sampler);
const producedSeconds = seconds;
const drained = await until(
  () =>
    screen
      .rows()
      .join("\n")
      .includes(`flood ${produced - 1} 메시지`),
  60_000,
);
const rssEnd = rss();
const cpuUsed = cpuSeconds() - cpuStart;
const framesFlood = frames - framesStart;
chat.terminal?.write("\x15exit\r");
await chat.exited;
await producer.disconnect();
const admin = kafka.admin();
await admin.connect();
await admin.deleteTopics({ topics: [room] }).catch(() => {});
await admin.disconnect();

delays.sort((a, b) => a - b);
const pct = (p: number) =>
  (delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))] ?? 0).toFixed(1);
console.log(
  `chat-flood: ${produced} records in ${producedSeconds} s (${Math.round(produced / producedSeconds)}/s) into a room while typing (${chatCommandLine().join(" ")})`,
);
console.log(
  `  frames drawn: ${framesFlood} (≈${Math.round(framesFlood / producedSeconds)}/s: message frames capped at ~60/s, keystroke echoes drawn at once)`,
);
console.log(`  keys typed: ${delays.length + lost}, lost/not echoed within 5 s: ${lost}`);
console.log(
  `  key-to-echo: p50 ${pct(50)} ms  p99 ${pct(99)} ms  worst ${(delays.at(-1) ?? 0).toFixed(1)} ms  (goal ≤ 50 ms)`,
);
console.log(`  last record drawn: ${drained ? "yes" : "NO"}`);
console.log(
  `  chat process CPU: ${cpuUsed.toFixed(1)} s over the flood (${Math.round((cpuUsed / seconds) * 100)}% of one core)`,
);
console.log(
  `  RSS: start ${rssStart.toFixed(1)} MiB, end ${rssEnd.toFixed(1)} MiB; each second: ${rssSamples.map((m) => m.toFixed(0)).join(" ")} MiB`,
);
