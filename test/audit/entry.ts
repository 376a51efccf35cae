/**
 * `dchat audit` from the sources as its own process (for the tests that SIGKILL a run), without
 * loading the other commands: the command object main.ts registers, with main.ts's rule for
 * turning its outcome into an exit code.
 */

import { processIo } from "../../io.ts";
import { auditCommand } from "../../lib/audit/command.ts";
import { isUserError } from "../../lib/errors.ts";

const outcome = await auditCommand.run(process.argv.slice(2), processIo());
if (isUserError(outcome)) {
  process.stderr.write(`dchat audit: ${outcome.message}\n`);
  process.exit(outcome.exitCode);
}
process.exit(outcome);
