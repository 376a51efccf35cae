/**
 * What every command shares: the streams it talks through, the shape of a command, and strict
 * flag parsing that turns mistakes into one-line usage errors (exit 2) instead of exceptions.
 */
import { parseArgs } from "node:util";
import { type UserError, usageError } from "./errors.ts";

/** The process signals commands react to. */
export type Signal = "SIGINT" | "SIGTERM" | "SIGHUP" | "SIGWINCH" | "SIGTSTP" | "SIGCONT";

/** Time as commands see it: tests give a clock they advance by hand. */
export interface Clock {
  now(): Date;
  /** Runs `run` once after `ms`; the function returned cancels it. */
  after(ms: number, run: () => void): () => void;
}

/**
 * The world a command runs in. main.ts gives the real one (the process's streams, signals and
 * timers); tests give buffers, signals raised by hand and a clock of their own.
 */
export interface Io {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
  signals: {
    /** Calls `handler` on each `signal` until the function returned is called. */
    on(signal: Signal, handler: (signal: Signal) => void): () => void;
    /** Stops the process as Ctrl-Z does (SIGSTOP); SIGCONT resumes it. */
    stop(): void;
  };
  /** Calls `handler` with any uncaught exception or unhandled rejection (a bug) until the function returned is called. */
  onCrash(handler: (error: unknown) => void): () => void;
  clock: Clock;
}

export interface Command {
  name: string;
  /** One line for `dchat --help`. */
  summary: string;
  /** The whole text of `dchat <name> --help`. */
  help: string;
  /** Resolves to an exit code, or a UserError that main.ts prints. */
  run(argv: string[], io: Io): Promise<number | UserError>;
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

export interface Parsed<T extends Options> {
  values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>["values"];
  positionals: string[];
}

/** Strict parse of `argv` against `options`; anything unknown or malformed is a usage error naming the command. */
export function parseFlags<T extends Options>(
  argv: string[],
  options: T,
  command: string,
  { positionals = true } = {},
): Parsed<T> | UserError {
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (!positionals && parsed.positionals.length > 0) {
      return usageError(`unexpected argument "${parsed.positionals[0]}" (see dchat ${command} --help)`);
    }
    return { values: parsed.values, positionals: parsed.positionals } as Parsed<T>;
  } catch (error) {
    return usageError(`${flagProblem(error)} (see dchat ${command} --help)`);
  }
}

function flagProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  // Node phrases these as "Option '-r, --room <value>' argument missing": name the long form.
  const quoted = /'([^']+)'/.exec(message ?? "")?.[1] ?? "";
  const flag = /--[\w-]+/.exec(quoted)?.[0] ?? quoted.split(" ")[0] ?? "";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown flag ${flag}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return message?.includes("argument missing")
        ? `${flag} needs a value`
        : `${flag} does not take a value`;
    default:
      return message ?? String(error);
  }
}

/** Parses a positive integer flag value, or explains what was expected. */
export function positiveInt(value: string | undefined, flag: string): number | undefined | UserError {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    return usageError(`${flag} must be a whole number of at least 1, got "${value}"`);
  }
  return n;
}
