/**
 * Line mode, for when stdin or stdout is not a terminal (pipes, scripts, CI): every line read
 * from stdin is sent as a message (`exit` leaves, as in the full-screen chat), every record of
 * the room is printed as one terminal-safe line `HH:MM sender: text`, and end of input sends
 * the leave record and exits. A crash (a bug) also sends the leave record, within a bounded
 * time, before the error is reported, as the full-screen chat does.
 */
import { createInterface } from "node:readline";
import type { Io } from "../cli.ts";
import { safeText } from "../safe-text.ts";
import { type ChatRecord, type Decoded, joinRecord, LEAVE_HINT, leaveRecord, textRecord } from "../wire.ts";
import { lineAction } from "./plain-commands.ts";
import { PlainRooms } from "./plain-rooms.ts";
import { type People, seen } from "./presence.ts";
import { type ChatSession, CRASH_LEAVE_MS } from "./run.ts";

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
      if (state === "reconnecting")
        io.stderr.write(`dchat chat: connection to Kafka lost (${reason ?? "unknown"}); reconnecting\n`);
    },
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= link.close();
    return closing;
  };
  let leaveTried = false;
  const leave = async () => {
    if (leaveTried) return;
    leaveTried = true;
    const record = leaveRecord(session.user, new Date());
    await Promise.all([send(record), rooms.leaveAll(record)]);
  };
  let failed = 0;
  const send = async (record: ChatRecord) => {
    await link.send(record).catch((error: unknown) => {
      failed++;
      io.stderr.write(`dchat chat: not sent: ${JSON.stringify(record.message)} (${String(error)})\n`);
    });
  };
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
      const goodbye = leave().then(close);
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
      await send(joinRecord(session.user, new Date()));
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
            if (room === session.room) await send(record);
            else if (!(await rooms.send(room, record))) failed++;
          } else if (action.type === "print") for (const out of action.lines) write(out);
          else if (action.type === "join") await rooms.join(action.room);
          else if (action.type === "part") await rooms.part(action.room);
          else warn(action.message);
        }
      })();
      await Promise.race([reading, stopped]);
      lines.close();
      await leave();
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
