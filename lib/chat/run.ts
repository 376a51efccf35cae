/**
 * The full-screen chat: wires the terminal (keys, resize, signals), the room on Kafka and a
 * clock to the pure core (update/view), and carries out its effects. The screen writer is the
 * only thing that touches the terminal; it is restored on every way out, including a crash:
 * the crash is turned into a rejected promise after the terminal is back and the leave record
 * has been tried (briefly), so main.ts prints it on the normal screen and the room hears we left.
 */
import type { Io } from "../cli.ts";
import { ESC_TIMEOUT_MS, KeyDecoder } from "../term/keys.ts";
import { Screen } from "../term/screen.ts";
import { type ChatRecord, joinRecord, leaveRecord } from "../wire.ts";
import type { RoomHandlers, RoomLink } from "./room.ts";
import { type ChatEffect, type ChatEvent, type ChatOptions, initialState, type Size } from "./state.ts";
import { update } from "./update.ts";
import { view } from "./view.ts";

export interface ChatSession {
  room: string;
  user: string;
  options: ChatOptions;
  /** Connects to the room; records and connection changes arrive through the handlers. */
  connect(handlers: RoomHandlers): Promise<RoomLink>;
}

/** Longest wait for queued messages and the leave record when leaving. */
export const LEAVE_TIMEOUT_MS = 8000;
/** Longest a crash waits for the leave record (and the group's deletion) before reporting. */
export const CRASH_LEAVE_MS = 2000;
export const RETRY_MAX_MS = 15_000;

function terminalSize(io: Io): Size {
  const [cols, rows] = io.stdout.getWindowSize?.() ?? [io.stdout.columns ?? 80, io.stdout.rows ?? 24];
  return { cols: cols || 80, rows: rows || 24 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChat(session: ChatSession, io: Io): Promise<number> {
  let state = initialState(session.room, session.user, terminalSize(io), session.options);
  const screen = new Screen({ stdin: io.stdin, stdout: io.stdout }, undefined, session.options.mouse);
  const decoder = new KeyDecoder();
  let link: RoomLink | null = null;
  let escTimer: ReturnType<typeof setTimeout> | null = null;
  const outbox: { id: number; record: ChatRecord }[] = [];
  let sending = false;
  /** Ends the pump's wait between retries early (the connection is back). */
  let retryNow: (() => void) | null = null;
  /** The leave record has been handed to Kafka (or tried): a crash must not send it again. */
  let leaveTried = false;
  let crashed = false;
  let finish!: (code: number) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<number>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  const frame = () => view(state);
  const dispatch = (event: ChatEvent) => {
    const [next, effects] = update(state, event);
    state = next;
    for (const effect of effects) perform(effect);
    screen.request(frame, event.type === "key");
  };

  const pump = async () => {
    if (sending) return;
    sending = true;
    let delay = 500;
    while (outbox.length > 0 && link) {
      const item = outbox[0] as { id: number; record: ChatRecord };
      try {
        await link.send(item.record);
        outbox.shift();
        delay = 500;
        dispatch({ type: "sent", id: item.id });
      } catch (error) {
        dispatch({ type: "send-failed", id: item.id, reason: String(error) });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => retryNow?.(), delay);
          retryNow = () => {
            clearTimeout(timer);
            retryNow = null;
            resolve();
          };
        });
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
    sending = false;
  };

  const leave = async (record: ChatRecord) => {
    cleanupInput();
    const deadline = Date.now() + LEAVE_TIMEOUT_MS;
    while ((outbox.length > 0 || sending) && Date.now() < deadline) await sleep(50);
    const current = link;
    // Without a link the pump stops retrying; what is left in the outbox is reported below.
    link = null;
    leaveTried = true;
    const leftOk =
      current === null ||
      (await Promise.race([
        current.send(record).then(
          () => true,
          () => false,
        ),
        sleep(Math.max(2000, deadline - Date.now())).then(() => false),
      ]));
    // Without the leave record delivered the broker is out of reach: closing would only time out.
    if (current && leftOk) await Promise.race([current.close(), sleep(3000)]);
    screen.stop();
    removeSignals();
    removeCrashHandlers();
    const unsent = outbox.filter((item) => item.id > 0).map((item) => item.record.message);
    if (unsent.length > 0) {
      io.stderr.write(`dchat chat: ${unsent.length} message(s) were not sent (Kafka unreachable):\n`);
      for (const message of unsent) io.stderr.write(`  ${JSON.stringify(message)}\n`);
    }
    if (!leftOk) io.stderr.write("dchat chat: the leave record could not be delivered (Kafka unreachable)\n");
    finish(unsent.length > 0 || !leftOk ? 1 : 0);
  };

  function perform(effect: ChatEffect) {
    switch (effect.type) {
      case "send":
        outbox.push({ id: effect.id, record: effect.record });
        void pump();
        return;
      case "leave":
        void leave(effect.record).catch(crash);
        return;
      case "bell":
        screen.bell();
        return;
      case "redraw":
        screen.invalidate();
        return;
      case "suspend":
        screen.suspend();
        return;
    }
  }

  const onData = (bytes: Buffer) => {
    if (escTimer) clearTimeout(escTimer);
    escTimer = null;
    const now = new Date();
    for (const key of decoder.feed(bytes)) dispatch({ type: "key", key, now });
    if (decoder.hasPending()) {
      escTimer = setTimeout(() => {
        escTimer = null;
        for (const key of decoder.flush()) dispatch({ type: "key", key, now: new Date() });
      }, ESC_TIMEOUT_MS);
    }
  };
  const onResize = () => {
    // xterm resets the scroll region on resize, and a same-size SIGWINCH asks for a redraw.
    screen.invalidate();
    dispatch({ type: "resize", size: terminalSize(io) });
  };
  const onEnd = () => dispatch({ type: "leave", now: new Date() });
  const onStop = () => screen.suspend();
  const onContinue = () => {
    screen.resume();
    onResize();
  };
  const crash = (error: unknown) => {
    // Later errors while saying goodbye are the same bug showing again: the first is reported.
    if (crashed) return;
    crashed = true;
    screen.stop();
    removeSignals();
    cleanupInput();
    const current = link;
    link = null;
    const goodbye = async () => {
      if (!current) return;
      if (!leaveTried) {
        leaveTried = true;
        await current.send(leaveRecord(session.user, new Date()));
      }
      await current.close();
    };
    void Promise.race([goodbye().catch(() => {}), sleep(CRASH_LEAVE_MS)]).then(() => {
      removeCrashHandlers();
      fail(error);
    });
  };
  const signals: [string, () => void][] = [
    ["SIGWINCH", onResize],
    ["SIGTERM", onEnd],
    ["SIGHUP", onEnd],
    ["SIGINT", onEnd],
    ["SIGTSTP", onStop],
    ["SIGCONT", onContinue],
  ];
  function removeSignals() {
    for (const [signal, handler] of signals) process.off(signal, handler);
  }
  function removeCrashHandlers() {
    process.off("uncaughtException", crash);
    process.off("unhandledRejection", crash);
  }
  function cleanupInput() {
    io.stdin.off("data", onData);
    io.stdin.pause();
    if (escTimer) clearTimeout(escTimer);
  }

  for (const [signal, handler] of signals) process.on(signal, handler);
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  screen.start();
  io.stdin.on("data", onData);
  io.stdin.resume();
  screen.request(frame);

  try {
    link = await session.connect({
      records: (records, live) => dispatch({ type: "records", records, live }),
      connection: (connection, reason) => {
        dispatch({ type: "connection", state: connection, reason, now: new Date() });
        // The consumer got through again: queued messages go now, not after the backoff.
        if (connection === "connected") retryNow?.();
      },
    });
    if (state.leaving) {
      // Left while connecting: the leave effect ran without a link; say goodbye properly now.
      await link.close();
    } else {
      dispatch({ type: "connection", state: "connected", now: new Date() });
      outbox.unshift({ id: 0, record: joinRecord(session.user, new Date()) });
      void pump();
    }
  } catch (error) {
    crash(error);
  }
  return done;
}
