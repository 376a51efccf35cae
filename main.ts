#!/usr/bin/env bun

// dchat's entry: parse the command line, dispatch to one command, turn its outcome into an exit
// code. The only place that calls process.exit.

import { processIo } from "./io.ts";
import { auditCommand } from "./lib/audit/command.ts";
import { botCommand } from "./lib/bot/command.ts";
import { chatCommand } from "./lib/chat/command.ts";
import type { Command, Io } from "./lib/cli.ts";
import { ExitCode, isUserError } from "./lib/errors.ts";
import { moviesCommand } from "./lib/movies/command.ts";
import { roomsCommand } from "./lib/rooms-command.ts";
import { sendCommand } from "./lib/send.ts";
import pkg from "./package.json" with { type: "json" };

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

async function main(argv: string[], io: Io): Promise<number> {
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
  try {
    const outcome = await command.run(rest, io);
    if (!isUserError(outcome)) return outcome;
    io.stderr.write(`dchat ${name}: ${outcome.message}\n`);
    return outcome.exitCode;
  } catch (error) {
    if (!isUserError(error)) throw error;
    io.stderr.write(`dchat ${name}: ${error.message}\n`);
    return error.exitCode;
  }
}

const io = processIo();
process.exitCode = await main(process.argv.slice(2), io);
// Kafka sockets and stdin may keep the event loop alive after the command is done, so we exit
// explicitly — but only once stdout has been flushed: exiting straight away cuts output to a
// pipe at 64 KiB (`dchat audit stats --json | jq`).
await Promise.race([new Promise<void>((done) => process.stdout.end(() => done())), Bun.sleep(5000)]);
process.exit();
