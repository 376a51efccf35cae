#!/usr/bin/env bun

// dchat's entry: run the command line with the real streams and exit with its code. The only
// place that calls process.exit; everything else is lib/main.ts, which tests import.

import type { Io } from "./lib/cli.ts";
import { main } from "./lib/main.ts";

const io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
process.exitCode = await main(process.argv.slice(2), io);
// Kafka sockets and stdin may keep the event loop alive after the command is done, so we exit
// explicitly — but only once stdout has been flushed: exiting straight away cuts output to a
// pipe at 64 KiB (`dchat audit stats --json | jq`).
await Promise.race([new Promise<void>((done) => process.stdout.end(() => done())), Bun.sleep(5000)]);
process.exit();
