/**
 * One audit run per archive directory. On Linux and macOS the lock is the kernel's flock(2) on
 * `<out>/_dchat_audit.lock`: the kernel drops it when the process dies, even by `kill -9`, so a
 * crashed run never blocks the next one and there is no stale-lock guesswork. Where flock is
 * not reachable (Windows), the file is created exclusively and holds the owner's pid; a lock
 * whose pid no longer runs is taken over.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, UserError } from "../errors.ts";
import { LOCK_FILE } from "./files.ts";

export interface Lock {
  release(): void;
}

const LOCK_EX = 2;
const LOCK_NB = 4;

type Flock = (fd: number, operation: number) => number;

let flockFn: Flock | null | undefined;

async function loadFlock(): Promise<Flock | null> {
  if (flockFn !== undefined) return flockFn;
  const library =
    process.platform === "linux"
      ? "libc.so.6"
      : process.platform === "darwin"
        ? "/usr/lib/libSystem.B.dylib"
        : null;
  flockFn = null;
  if (library === null) return null;
  try {
    const { dlopen, FFIType } = await import("bun:ffi");
    const lib = dlopen(library, { flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } });
    flockFn = (fd, operation) => lib.symbols.flock(fd, operation);
  } catch {
    flockFn = null;
  }
  return flockFn;
}

function heldBy(path: string): string {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? ` (pid ${pid})` : "";
  } catch {
    return "";
  }
}

function locked(out: string, path: string): UserError {
  return new UserError(
    `another dchat audit run${heldBy(path)} is archiving into ${out}; this run did nothing (try again later)`,
    ExitCode.Locked,
  );
}

export async function acquireLock(out: string): Promise<Lock | UserError> {
  const path = join(out, LOCK_FILE);
  const flock = await loadFlock();
  if (flock !== null) {
    const fd = openSync(path, "a+");
    if (flock(fd, LOCK_EX | LOCK_NB) !== 0) {
      closeSync(fd);
      return locked(out, path);
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`);
    return { release: () => closeSync(fd) };
  }
  return pidFileLock(out, path);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function pidFileLock(out: string, path: string): Lock | UserError {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) return locked(out, path);
      rmSync(path, { force: true });
    }
  }
  return locked(out, path);
}
