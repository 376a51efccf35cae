/**
 * `dchat bot`: flags → BotConfig, signals → AbortSignal, and the 5-second promise of a clean
 * stop. Everything else lives in run.ts and the pure modules beside it.
 */
import { hostname } from "node:os";
import movies from "../../data/movies.json";
import { type Command, type Io, parseFlags, positiveInt } from "../cli.ts";
import { kafkaFlags, kafkaFlagsHelp, kafkaSettings } from "../config.ts";
import { isUserError, type UserError, usageError } from "../errors.ts";
import { isLevel, jsonLogger } from "./log.ts";
import { BotMetrics } from "./metrics.ts";
import { parseListen, serveMetrics } from "./metrics-server.ts";
import { loadMovieFile, type MovieDb, movieDb, moviesFromJson } from "./movies.ts";
import { parseRateLimit } from "./rate-limit.ts";
import { roomFilter } from "./rooms-served.ts";
import { runBot } from "./run.ts";

const flags = {
  ...kafkaFlags,
  rooms: { type: "string" },
  "room-pattern": { type: "string" },
  movies: { type: "string" },
  group: { type: "string" },
  instance: { type: "string" },
  "rate-limit": { type: "string" },
  rescan: { type: "string" },
  "log-level": { type: "string" },
  metrics: { type: "string" },
} as const;

const help = `usage: dchat bot [--rooms A,B | --room-pattern REGEX] [--movies FILE] [--group ID]

Answers movie questions in chat rooms as sender [bot]:
  @bot <영화이름> | <감독|장르|제작년도>      (also @봇; fields also director, genre, year)
Runs until SIGTERM or SIGINT. Logs one JSON object per line on standard output.

  --rooms A,B           serve only these rooms (default: every room, including new ones)
  --room-pattern REGEX  serve the rooms whose name matches REGEX (JavaScript syntax)
  --movies FILE         KOBIS movieList JSON (nested or flattened) instead of the built-in list
  --group ID            consumer group shared by replicas (default dchat-bot)
  --instance NAME       this replica's name in its log and Kafka client id (default: host name)
  --rate-limit N/T      questions per sender and room: burst N, refilled over T (default 5/30s;
                        T in ms, s or m; "off" disables)
  --rescan SECONDS      how often to look for new rooms (default 10)
  --log-level LEVEL     debug, info, warn or error (default info)
  --metrics HOST:PORT   serve /metrics (Prometheus), /healthz and /readyz over HTTP

Each question is answered exactly once: the answer and the question's offset are committed in
one Kafka transaction, and a replica that froze and lost its rooms to another is fenced. Readers must read committed records only (dchat chat does; kafka-python
needs isolation_level="read_committed").

${kafkaFlagsHelp}`;

/** The promise of the systemd unit's TimeoutStopSec: a stop never takes longer than this. */
const STOP_DEADLINE_MS = 4500;

/**
 * Test-only: `DCHAT_BOT_TEST_HOLD=N:MS` holds the N-th transaction that carries answers open for
 * MS ms before it commits, so the tests can kill or freeze the bot while answers are produced
 * but not committed, and know it.
 */
function holdSwitch(text: string | undefined): { nth: number; ms: number } | undefined {
  const match = /^(\d+):(\d+)$/.exec(text ?? "");
  return match ? { nth: Number(match[1]), ms: Number(match[2]) } : undefined;
}

function defaultMovies(): MovieDb {
  const list = moviesFromJson(movies);
  if (typeof list === "string") throw new Error(`data/movies.json is broken: ${list}`);
  return movieDb(list);
}

async function run(argv: string[], io: Io): Promise<number | UserError> {
  const parsed = parseFlags(argv, flags, "bot", { positionals: false });
  if (isUserError(parsed)) return parsed;
  const { values } = parsed;
  const level = values["log-level"] ?? "info";
  if (!isLevel(level)) return usageError(`--log-level must be debug, info, warn or error, got "${level}"`);
  const rateLimit = parseRateLimit(values["rate-limit"] ?? "5/30s");
  if (rateLimit === undefined) {
    return usageError(`--rate-limit must look like 5/30s or off, got "${values["rate-limit"]}"`);
  }
  const rescan = positiveInt(values.rescan, "--rescan");
  if (isUserError(rescan)) return rescan;
  const filter = roomFilter(values.rooms, values["room-pattern"]);
  if (isUserError(filter)) return filter;
  const settings = kafkaSettings(values, io.env);
  if (isUserError(settings)) return settings;
  const listen = values.metrics === undefined ? undefined : parseListen(values.metrics);
  if (isUserError(listen)) return listen;
  const db = values.movies === undefined ? defaultMovies() : await loadMovieFile(values.movies);
  if (isUserError(db)) return db;

  const log = jsonLogger((line) => io.stdout.write(line), level);
  const metrics = new BotMetrics();
  const server =
    listen === undefined ? undefined : serveMetrics(listen, metrics, () => metrics.isReady(Date.now()));
  if (isUserError(server)) return server;
  if (server !== undefined) log("info", "metrics", { url: server.url });
  const controller = new AbortController();
  const stop = (signal: string) => {
    if (!controller.signal.aborted) log("info", "stopping", { signal });
    controller.abort();
  };
  const offs = [io.signals.on("SIGTERM", stop), io.signals.on("SIGINT", stop)];
  try {
    return await runBot({
      settings,
      groupId: values.group ?? "dchat-bot",
      instance: values.instance ?? hostname(),
      filter,
      db,
      rateLimit,
      rescanMs: (rescan ?? 10) * 1000,
      log,
      signal: controller.signal,
      stopDeadlineMs: STOP_DEADLINE_MS,
      metrics,
      holdTransaction: holdSwitch(io.env.DCHAT_BOT_TEST_HOLD),
    });
  } finally {
    server?.stop();
    for (const off of offs) off();
  }
}

export const botCommand: Command = {
  name: "bot",
  summary: "answer movie questions (@bot 영화|감독) in chat rooms, exactly once",
  help,
  run,
};
