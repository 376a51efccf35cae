/**
 * The command line: parse it, dispatch to one command, turn its outcome into an exit code — the
 * one place that rule lives. It returns the code instead of exiting, so tests run commands
 * in-process; main.ts (the entry) exits with it.
 */
import pkg from "../package.json" with { type: "json" };
import { auditCommand } from "./audit/command.ts";
import { botCommand } from "./bot/command.ts";
import { chatCommand } from "./chat/command.ts";
import type { Command, Io } from "./cli.ts";
import { ExitCode, isUserError, type UserError } from "./errors.ts";
import { moviesCommand } from "./movies/command.ts";
import { roomsCommand } from "./rooms-command.ts";
import { sendCommand } from "./send.ts";

const commands: Command[] = [chatCommand, botCommand, auditCommand, sendCommand, moviesCommand, roomsCommand];

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n");
  return `dchat ${pkg.version} — chat rooms over Apache Kafka (DoubleChat, rebuilt)

usage: dchat <command> [flags]

commands:
${list}

  dchat <command> --help   flags of one command
  dchat --version          the version

Kafka: --brokers host:port,… or $DCHAT_BROKERS (default localhost:9092); TLS and SASL flags in
each command's help. Exit codes: 0 ok, 1 failure, 2 bad usage, 75 audit lock held, 130 interrupted.`;
}

/** Runs `dchat ARGV…` with `io`; resolves to the exit code. A UserError, returned or thrown, is one line on stderr. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? commands.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(`${topic ? topic.help : mainHelp()}\n`);
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.stdout.write(`dchat ${pkg.version}\n`);
    return ExitCode.Ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const what = name.startsWith("-") ? `unknown flag ${name}` : `unknown command "${name}"`;
    io.stderr.write(
      `dchat: ${what} (commands: ${commands.map((c) => c.name).join(", ")}; see dchat --help)\n`,
    );
    return ExitCode.Usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout.write(`${command.help}\n`);
    return ExitCode.Ok;
  }
  let outcome: number | UserError;
  try {
    outcome = await command.run(rest, io);
  } catch (error) {
    if (!isUserError(error)) throw error;
    outcome = error;
  }
  if (!isUserError(outcome)) return outcome;
  io.stderr.write(`dchat ${name}: ${outcome.message}\n`);
  return outcome.exitCode;
}
