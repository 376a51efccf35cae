/**
 * `dchat send`: the scriptable producer. It replaces the original's Airflow reminder DAG
 * (`dchat send --room team2 --user '[bot]' '미팅시간 5분 전입니다'` from cron) and lets scripts pipe
 * lines into a room. It exits 0 only once the broker has acknowledged every record.
 */
import { createInterface } from "node:readline";
import { type Command, type Io, parseFlags, positiveInt } from "./cli.ts";
import { kafkaFlags, kafkaFlagsHelp, kafkaSettings } from "./config.ts";
import { isUserError, UserError, usageError } from "./errors.ts";
import {
  DELIVERY_TIMEOUT_MS,
  deliveredWithin,
  ensureTopic,
  failureOf,
  kafkaFailure,
  openKafka,
  recordProducer,
} from "./kafka/index.ts";
import { roomToTopic } from "./rooms.ts";
import { validateUserName } from "./users.ts";
import { encode, MAX_RECORD_BYTES, textRecord } from "./wire.ts";

const flags = {
  ...kafkaFlags,
  room: { type: "string", short: "r" },
  user: { type: "string", short: "u" },
  partitions: { type: "string" },
} as const;

const help = `usage: dchat send --room ROOM --user NAME [MESSAGE...]

Sends one chat record to ROOM as NAME, in the original DoubleChat format. With MESSAGE words,
they are joined by spaces into one message; without, every line of standard input becomes one
message (empty lines are skipped). Exits 0 once the broker acknowledged every record.

  -r, --room ROOM       the chat room (any name; see "Rooms" in the README)
  -u, --user NAME       the sender shown to others, e.g. '[bot]' for announcements
  --partitions N        partitions for the room's topic when it does not exist yet (default 1)

${kafkaFlagsHelp}

example (cron, five minutes before the meeting):
  55 13 * * 1-5  dchat send --room team2 --user '[bot]' '미팅시간 5분 전입니다'`;

/**
 * Lines waiting while a send is in flight go out together in the next request, up to this many
 * bytes of record values: the broker refuses a request over its message.max.bytes (1 MiB by
 * default), so one request must stay well below it.
 */
const maxBatchBytes = 256 * 1024;

async function run(argv: string[], io: Io): Promise<number | UserError> {
  const parsed = parseFlags(argv, flags, "send");
  if (isUserError(parsed)) return parsed;
  const { values, positionals } = parsed;
  if (values.room === undefined) return usageError("--room is required (see dchat send --help)");
  if (values.user === undefined) return usageError("--user is required (see dchat send --help)");
  const topic = roomToTopic(values.room);
  if (isUserError(topic)) return topic;
  const user = validateUserName(values.user);
  if (isUserError(user)) return user;
  const partitions = positiveInt(values.partitions, "--partitions");
  if (isUserError(partitions)) return partitions;
  const settings = kafkaSettings(values, io.env);
  if (isUserError(settings)) return settings;

  const client = openKafka(settings);
  const producer = recordProducer(client);
  try {
    // Independent round trips: the producer needs the topic only when it sends.
    await deliveredWithin(
      client,
      Promise.all([ensureTopic(client, topic, partitions ?? 1), producer.connect()]),
      DELIVERY_TIMEOUT_MS,
    );
    // Keyed by the sender, as the chat client does: one sender's lines stay in order (README, "Wire format").
    const send = (values: Buffer[]) =>
      deliveredWithin(
        client,
        producer.send(
          topic,
          values.map((value) => ({ key: user, value })),
        ),
        DELIVERY_TIMEOUT_MS,
      );
    const record = (text: string, line?: number): Buffer => {
      const value = encode(textRecord(user, text, new Date()));
      if (value.length > MAX_RECORD_BYTES) {
        const where = line === undefined ? "the message" : `line ${line}`;
        throw new UserError(
          `${where} is too long: ${value.length} bytes as a record, at most ${MAX_RECORD_BYTES}`,
        );
      }
      return value;
    };
    if (positionals.length > 0) await send([record(positionals.join(" "))]);
    else await sendLines(io.stdin, record, send);
    return 0;
  } catch (error) {
    if (isUserError(error)) return error;
    if (failureOf(error) !== undefined) return kafkaFailure(error, settings);
    throw error;
  } finally {
    // A request still waiting on a failed broker would hold the disconnect for its whole timeout.
    await producer.close(2000);
  }
}

async function sendLines(
  input: NodeJS.ReadableStream,
  record: (text: string, line: number) => Buffer,
  send: (values: Buffer[]) => Promise<unknown>,
): Promise<void> {
  let pending: Buffer[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  let failure: unknown;
  const flush = (): Promise<void> =>
    inFlight.then(async () => {
      while (pending.length > 0 && failure === undefined) {
        let count = 0;
        for (let bytes = 0; count < pending.length && (count === 0 || bytes < maxBatchBytes); count++) {
          bytes += pending[count]?.length ?? 0;
        }
        const batch = pending.slice(0, count);
        pending = pending.slice(count);
        await send(batch).catch((error: unknown) => {
          failure = error;
        });
      }
    });
  let lineNumber = 0;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber++;
    if (failure !== undefined) break;
    if (line.length === 0) continue;
    pending.push(record(line, lineNumber));
    if (pending.length === 1) inFlight = flush();
  }
  await flush();
  if (failure !== undefined) throw failure;
}

export const sendCommand: Command = {
  name: "send",
  summary: "send a message to a room (scripts, cron)",
  help,
  run,
};
