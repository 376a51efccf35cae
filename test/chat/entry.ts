/**
 * Runs `dchat chat` from the sources for the PTY tests, as main.ts would: argv after the
 * command name, real streams, a UserError printed as one line with its exit code.
 */

import { processIo } from "../../io.ts";
import { chatCommand } from "../../lib/chat/command.ts";
import { isUserError } from "../../lib/errors.ts";

const outcome = await chatCommand.run(process.argv.slice(2), processIo());
if (isUserError(outcome)) {
  process.stderr.write(`dchat chat: ${outcome.message}\n`);
  process.exit(outcome.exitCode);
}
process.exit(outcome);
