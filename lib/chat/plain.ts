/**
 * Line mode, for when stdin or stdout is not a terminal (pipes, scripts, CI): every line read
 * from stdin is sent as a message (`exit` leaves, as in the full-screen chat), every record of
 * the room is printed as one terminal-safe line `HH:MM sender: text`, and end of input sends
 * the leave record and exits. A crash (a bug) also sends the leave record, within a bounded
 * time, before the error is reported, as the full-screen chat does.
 *
 * Lines go out in order through an outbox that retries a failed send (a broker failure) until it
 * is delivered, as the full-screen chat's does; only what is still unsent when leaving, after
 * the same grace, is reported as not sent (exit 1).
 */
import { createInterface } from "node:readline";
import type { Io } from "../cli.ts";
import { safeText } from "../safe-text.ts";
import { type ChatRecord, type Decoded, joinRecord, LEAVE_HINT, leaveRecord, textRecord } from "../wire.ts";
import { lineAction } from "./plain-commands.ts";
import { PlainRooms } from "./plain-rooms.ts";
import { type People, seen } from "./presence.ts";
import { type ChatSession, CRASH_LEAVE_MS, LEAVE_TIMEOUT_MS, RETRY_MAX_MS } from "./run.ts";

const HISTORY_WAIT_MS = 10_000;

function clock(time: Date): string {
  return `${String(time.getHours()).padStart(2, "0")}:${String(time.getMinutes()).padStart(2, "0")}`;
}

/** One record as the lines line mode prints (a leave record adds the original's hint). */
export function plainLines(decoded: Decoded): string[] {
  const time = clock(decoded.time);
  if (!decoded.ok)
    return [`${time} ⚠ malformed record: ${safeText(`${decoded.problem}: ${decoded.detail}`)}`];
  const { sender, message, end } = decoded.record;
  const text = safeText(message.replace(/^[\r\n]+|[\r\n]+$/g, "").normalize("NFC"));
  if (end) return [`${time} ${text}`, LEAVE_HINT];
  return [`${time} ${safeText(sender.normalize("NFC"))}: ${text}`];
}

export async function runPlain(session: ChatSession, io: Io): Promise<number> {
  const write = (line: string) => io.stdout.write(`${line}\n`);
  let lost = false;
  const warn = (line: string) => io.stderr.write(`dchat chat: ${line}\n`);
  const print = (room: string, records: Decoded[]) => {
    for (const decoded of records) for (const line of plainLines(decoded)) write(rooms.label(room) + line);
  };
  const rooms = new PlainRooms(session, print, warn);
  let people: People = [];
  const link = await session.connect({
    records: (records) => {
      people = seen(people, records);
      print(session.room, records);
    },
    connection: (state, reason) => {
      if (state === "reconnecting") {
        lost = true;
        io.stderr.write(`dchat chat: connection to Kafka lost (${reason ?? "unknown"}); reconnecting\n`);
      } else if (state === "connected" && lost) {
        lost = false;
        io.stderr.write("dchat chat: connected to Kafka again\n");
      }
    },
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= link.close();
    return closing;
  };
  const outbox: ChatRecord[] = [];
  let pumping: Promise<void> | undefined;
  let giveUp = false;
  const pump = async () => {
    let delay = 500;
    let told = false;
    while (outbox.length > 0 && !giveUp) {
      const record = outbox[0] as ChatRecord;
      try {
        await link.send(record);
        outbox.shift();
        delay = 500;
        told = false;
      } catch (error) {
        if (!told)
          io.stderr.write(
            `dchat chat: not sent yet, retrying: ${JSON.stringify(record.message)} (${String(error)})\n`,
          );
        told = true;
        await Bun.sleep(delay);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  };
  const send = (record: ChatRecord) => {
    outbox.push(record);
    pumping ??= pump().finally(() => {
      pumping = undefined;
    });
  };
  /** Waits for the outbox (bounded); true when everything was delivered. */
  const drain = async (timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (outbox.length > 0 && Date.now() < deadline) await Promise.race([pumping, Bun.sleep(50)]);
    giveUp = outbox.length > 0;
    return !giveUp;
  };
  let leaveTried = false;
  const leave = async (timeoutMs: number) => {
    if (leaveTried) return;
    leaveTried = true;
    const record = leaveRecord(session.user, new Date());
    send(record);
    const [delivered] = await Promise.all([drain(timeoutMs), rooms.leaveAll(record)]);
    if (delivered) return;
    for (const unsent of outbox)
      io.stderr.write(`dchat chat: not sent: ${JSON.stringify(unsent.message)} (Kafka unreachable)\n`);
    failed += outbox.length;
  };
  let failed = 0;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  // A bug anywhere says goodbye to the room first (bounded: the broker may be the problem).
  let crash: (error: unknown) => void = () => {};
  const crashed = new Promise<never>((_, reject) => {
    let once = false;
    crash = (error) => {
      if (once) return;
      once = true;
      const goodbye = leave(CRASH_LEAVE_MS).then(close);
      void Promise.race([goodbye.catch(() => {}), Bun.sleep(CRASH_LEAVE_MS)]).then(() => reject(error));
    };
  });
  const signals = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
  for (const signal of signals) process.on(signal, stop);
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  const chat = async () => {
    try {
      // Print the room's recent messages before anything is sent (bounded: a transactional
      // marker at the end of a partition would otherwise hold us forever).
      await Promise.race([link.historyLoaded, Bun.sleep(HISTORY_WAIT_MS)]);
      send(joinRecord(session.user, new Date()));
      for (const room of session.rooms.slice(1)) await rooms.join(room);
      const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
      const reading = (async () => {
        for await (const line of lines) {
          if (line.trim() === "exit") break;
          if (line.trim() === "") continue;
          const room = rooms.current;
          const here = room === session.room ? people : rooms.peopleOf(room);
          const action = lineAction(line, room, here, new Date());
          if (action.type === "send") {
            const record = textRecord(session.user, action.text, new Date());
            if (room === session.room) send(record);
            else if (!(await rooms.send(room, record))) failed++;
          } else if (action.type === "print") for (const out of action.lines) write(out);
          else if (action.type === "join") await rooms.join(action.room);
          else if (action.type === "part") await rooms.part(action.room);
          else warn(action.message);
        }
      })();
      await Promise.race([reading, stopped]);
      lines.close();
      await leave(LEAVE_TIMEOUT_MS);
      return failed > 0 ? 1 : 0;
    } finally {
      await close();
    }
  };
  try {
    return await Promise.race([chat(), crashed]);
  } finally {
    for (const signal of signals) process.off(signal, stop);
    process.off("uncaughtException", crash);
    process.off("unhandledRejection", crash);
  }
}
