/**
 * `dchat chat`: flags and prompts, then the full-screen chat on a terminal or line mode
 * otherwise. Room and user are asked with @clack/prompts when the flags are missing.
 */
import { cancel, isCancel, note, text } from "@clack/prompts";
import { type Command, type Io, parseFlags } from "../cli.ts";
import { type KafkaSettings, kafkaFlags, kafkaFlagsHelp, kafkaSettings } from "../config.ts";
import { ExitCode, isUserError, UserError, usageError } from "../errors.ts";
import { failureOf, type KafkaClient, kafkaFailure, openKafka } from "../kafka/index.ts";
import { byActivity, listRooms } from "../room-list.ts";
import { roomToTopic } from "../rooms.ts";
import { safeText } from "../safe-text.ts";
import { validateUserName } from "../users.ts";
import type { ChatSession } from "./loop.ts";
import { runPlain } from "./plain.ts";
import { joinRoom, type RoomHandlers } from "./room.ts";
import { runChat } from "./run.ts";
import type { ChatOptions } from "./state.ts";

const flags = {
  ...kafkaFlags,
  room: { type: "string", short: "r" },
  user: { type: "string", short: "u" },
  history: { type: "string" },
  "ambiguous-wide": { type: "boolean" },
  mouse: { type: "boolean" },
  "no-bell": { type: "boolean" },
  notify: { type: "string" },
} as const;

const DEFAULT_HISTORY = 50;

const help = `usage: dchat chat [--room ROOM[,ROOM…]] [--user NAME] [--history N]

Joins chat rooms: the last N messages of each (default ${DEFAULT_HISTORY}), then live.
Missing room or user name are asked for. Type a message and press Enter; type exit (or press
Ctrl-C, or Ctrl-D on an empty line) to leave, which tells the room as the original did.
Without a terminal (pipes), every input line is sent and every message printed as a line.

  -r, --room ROOMS      the chat room, or several separated by commas (the first is shown;
                        any name, see "Rooms" in the README; /join adds more)
  -u, --user NAME       your name as others see it
  --history N           messages of the room shown on join (default ${DEFAULT_HISTORY}, 0 for none)
  --ambiguous-wide      your terminal shows East Asian "ambiguous" characters (※ ○ …) as
                        2 cells wide [$DCHAT_AMBIGUOUS_WIDE=1]
  --mouse               scroll with the mouse wheel; selecting text then needs Shift held
                        (Option in iTerm2) [$DCHAT_MOUSE=1]
  --no-bell             no terminal bell when someone mentions you
  --notify osc9|osc777  also a desktop notification on a mention, through the terminal
                        (OSC 9: iTerm2, WezTerm, Windows Terminal, kitty; OSC 777: foot,
                        Ghostty, urxvt, VTE terminals) [$DCHAT_NOTIFY]

keys: Enter send · Alt-Enter new line · ←/→ Home/End Ctrl-A/E · Alt-B/F word · Ctrl-W/U/K cut
      Ctrl-Y paste cut · ↑/↓ history · PgUp/PgDn (or the wheel, --mouse) scroll · End back to
      newest · Tab complete a name · Ctrl-R search · Alt-1…9, Alt-←/→ switch rooms · Alt-a
      most important unread room · Ctrl-L redraw · Ctrl-Z suspend · Ctrl-C leave.
      NO_COLOR turns colours off.
commands: /join ROOM · /part [ROOM] · /who · /mentions · /search TEXT · /help · exit

${kafkaFlagsHelp}`;

function parseHistory(value: string | undefined): number | UserError {
  if (value === undefined) return DEFAULT_HISTORY;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    return usageError(`--history must be a whole number of at least 0, got "${value}"`);
  return n;
}

async function ask(
  message: string,
  validate: (value: string) => string | undefined,
): Promise<string | UserError> {
  const answer = await text({ message, validate: (value) => validate(value ?? "") });
  if (isCancel(answer)) {
    cancel("Cancelled.");
    return new UserError("cancelled", ExitCode.Interrupted);
  }
  return answer;
}

/** Rooms offered in the prompt: their last activity is read for at most ACTIVITY_WAIT_MS, and
 * the whole list is given up after OFFER_WAIT_MS (an unreachable cluster says so after the prompt). */
const OFFER_ROOMS = 8;
const ACTIVITY_WAIT_MS = 1500;
const OFFER_WAIT_MS = 6000;

/** The rooms on the cluster, most recently active first; empty when they cannot be listed in time. */
async function knownRooms(settings: KafkaSettings): Promise<string[]> {
  const listing = listRooms(openKafka(settings), Date.now() + ACTIVITY_WAIT_MS).then(
    (rooms) => byActivity(rooms).map((r) => r.room),
    () => [] as string[],
  );
  return Promise.race([listing, Bun.sleep(OFFER_WAIT_MS).then(() => [] as string[])]);
}

/**
 * The room prompt: the rooms that exist are listed above it (most recently active first), and
 * any name is typed as it is, new or not (a pick list would let Enter join a listed room when a
 * new one was meant).
 */
async function askRoom(settings: KafkaSettings): Promise<string | UserError> {
  const rooms = await knownRooms(settings);
  if (rooms.length > 0) {
    const more = rooms.length > OFFER_ROOMS ? `\n… and ${rooms.length - OFFER_ROOMS} more (dchat rooms)` : "";
    note(
      rooms.slice(0, OFFER_ROOMS).map(safeText).join("\n") + more,
      "Rooms on the cluster, most recent first",
    );
  }
  return ask("Chat room", roomProblem);
}

const roomProblem = (value: string) => {
  const topic = roomToTopic(value);
  return isUserError(topic) ? topic.message : undefined;
};
const userProblem = (value: string) => {
  const name = validateUserName(value);
  return isUserError(name) ? name.message : undefined;
};

async function run(argv: string[], io: Io): Promise<number | UserError> {
  const parsed = parseFlags(argv, flags, "chat", { positionals: false });
  if (isUserError(parsed)) return parsed;
  const { values } = parsed;
  const history = parseHistory(values.history);
  if (isUserError(history)) return history;
  const settings = kafkaSettings(values, io.env);
  if (isUserError(settings)) return settings;
  const tty = Boolean(io.stdin.isTTY && io.stdout.isTTY);

  let room = values.room;
  let user = values.user;
  if ((room === undefined || user === undefined) && !tty) {
    return usageError("without a terminal, --room and --user are required (see dchat chat --help)");
  }
  const notify = parseNotify(values.notify ?? io.env.DCHAT_NOTIFY);
  if (isUserError(notify)) return notify;
  if (room === undefined) {
    const answer = await askRoom(settings);
    if (isUserError(answer)) return answer;
    room = answer;
  }
  if (user === undefined) {
    const answer = await ask("Your name", userProblem);
    if (isUserError(answer)) return answer;
    user = answer;
  }
  const rooms = parseRooms(room);
  if (isUserError(rooms)) return rooms;
  const name = validateUserName(user);
  if (isUserError(name)) return name;

  const session = chatSession(settings, rooms, name, history, {
    color: io.env.NO_COLOR === undefined || io.env.NO_COLOR === "",
    ambiguousWide: Boolean(values["ambiguous-wide"]) || io.env.DCHAT_AMBIGUOUS_WIDE === "1",
    mouse: Boolean(values.mouse) || io.env.DCHAT_MOUSE === "1",
    bell: !values["no-bell"],
    notify,
  });
  try {
    return tty ? await runChat(session, io) : await runPlain(session, io);
  } catch (error) {
    if (isUserError(error)) return error;
    if (failureOf(error) !== undefined) return kafkaFailure(error, settings);
    throw error;
  }
}

/** `a,b`: rooms by their human names (NFC, trimmed), each valid, each once, in order. */
export function parseRooms(value: string): string[] | UserError {
  const names: string[] = [];
  for (const part of value.split(",")) {
    const name = part.normalize("NFC").trim();
    if (name === "" && value.includes(",")) continue;
    const topic = roomToTopic(name);
    if (isUserError(topic)) return topic;
    if (!names.includes(name)) names.push(name);
  }
  return names.length > 0 ? names : usageError("--room needs a room name");
}

function parseNotify(value: string | undefined): ChatOptions["notify"] | UserError {
  if (value === undefined || value === "") return null;
  if (value === "osc9" || value === "osc777") return value;
  return usageError(`--notify is osc9 or osc777 (the terminal's notification sequence), got "${value}"`);
}

function chatSession(
  settings: KafkaSettings,
  rooms: string[],
  user: string,
  history: number,
  options: ChatOptions,
): ChatSession {
  let kafka: KafkaClient | undefined;
  const join = async (room: string, handlers: RoomHandlers) => {
    kafka ??= openKafka(settings);
    const topic = roomToTopic(room);
    if (isUserError(topic)) throw topic;
    try {
      return await joinRoom(kafka, topic, user, history, handlers);
    } catch (error) {
      throw isUserError(error) ? error : kafkaFailure(error, settings);
    }
  };
  return { rooms, user, options, join };
}

export const chatCommand: Command = {
  name: "chat",
  summary: "join chat rooms (full-screen, Hangul-ready)",
  help,
  run,
};
