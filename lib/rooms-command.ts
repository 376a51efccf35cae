/**
 * `dchat rooms`: the rooms on the cluster as a table (human names, partitions, messages
 * retained, last activity; most recently active first) or, with --json, one JSON array.
 * Room names are remote text (anyone can create a topic), so the table shows them through
 * safeText; the JSON carries them exactly.
 */
import { type Command, type Io, parseFlags } from "./cli.ts";
import { kafkaFlags, kafkaFlagsHelp, kafkaSettings } from "./config.ts";
import { isUserError, type UserError } from "./errors.ts";
import { failureOf, kafkaFailure, openKafka } from "./kafka/index.ts";
import { byActivity, listRooms, type RoomInfo } from "./room-list.ts";
import { safeText } from "./safe-text.ts";
import { cellWidth } from "./width.ts";

const flags = { ...kafkaFlags, json: { type: "boolean" } } as const;

/** Longest wait for the rooms' last records; rooms not read by then show no time. */
const ACTIVITY_WAIT_MS = 10_000;

const help = `usage: dchat rooms [--json]

Lists the chat rooms on the cluster: every topic but Kafka's internal ones, with its room name
(decoded from the topic name), partitions, messages retained and the time of the last message
("—" when it could not be read within 10 s).

  --json                one JSON array: room, topic, partitions, retained, lastActivity (ISO)

${kafkaFlagsHelp}`;

function when(date: Date | null): string {
  if (!date) return "—";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function padCells(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - cellWidth(text)));
}

export function roomsTable(rooms: RoomInfo[]): string {
  const header = ["ROOM", "PARTITIONS", "MESSAGES", "LAST ACTIVITY"];
  const rows = rooms.map((r) => [
    safeText(r.room),
    String(r.partitions),
    String(r.retained),
    when(r.lastActivity),
  ]);
  const widths = header.map((h, i) =>
    Math.max(cellWidth(h), ...rows.map((row) => cellWidth(row[i] as string))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === 1 || i === 2 ? cell.padStart(widths[i] as number) : padCells(cell, widths[i] as number),
      )
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

async function run(argv: string[], io: Io): Promise<number | UserError> {
  const parsed = parseFlags(argv, flags, "rooms", { positionals: false });
  if (isUserError(parsed)) return parsed;
  const settings = kafkaSettings(parsed.values, io.env);
  if (isUserError(settings)) return settings;
  let rooms: RoomInfo[];
  try {
    rooms = byActivity(await listRooms(openKafka(settings), Date.now() + ACTIVITY_WAIT_MS));
  } catch (error) {
    if (failureOf(error) === undefined) throw error;
    return kafkaFailure(error, settings);
  }
  if (parsed.values.json) {
    const out = rooms.map((r) => ({ ...r, lastActivity: r.lastActivity?.toISOString() ?? null }));
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else if (rooms.length === 0) {
    io.stdout.write("no rooms yet (dchat chat --room NAME creates one)\n");
  } else {
    io.stdout.write(`${roomsTable(rooms)}\n`);
  }
  return 0;
}

export const roomsCommand: Command = {
  name: "rooms",
  summary: "list the chat rooms on the cluster",
  help,
  run,
};
