/**
 * Failures a user can cause (bad flag, unreachable broker, bad file) are values of this type:
 * a message written for the user and the exit code it ends the process with. Functions return
 * them; deep async code may throw one to abort, and main.ts is the one place that turns them
 * into output (`dchat <command>: <message>`, so messages carry no prefix) and exit codes.
 * Any other exception is a bug and keeps its stack trace.
 */
export class UserError {
  readonly kind = "user-error";
  constructor(
    readonly message: string,
    readonly exitCode: number = ExitCode.Failure,
  ) {}
}

export const ExitCode = {
  Ok: 0,
  /** Runtime failure: broker unreachable, file unreadable, data rejected. */
  Failure: 1,
  /** Bad command line: unknown command or flag, missing or malformed value. */
  Usage: 2,
  /** Another `dchat audit` run holds the lock (EX_TEMPFAIL: try again later). */
  Locked: 75,
  /** Interrupted by the user (Ctrl-C at a prompt), as shells report SIGINT. */
  Interrupted: 130,
} as const;

export function isUserError(value: unknown): value is UserError {
  return value instanceof UserError;
}

export function usageError(message: string): UserError {
  return new UserError(message, ExitCode.Usage);
}
