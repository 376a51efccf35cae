/**
 * The full-screen chat: wires the terminal (keys, resize, signals), the room on Kafka and a
 * clock to the pure core (update/view), and carries out its effects. The screen writer is the
 * only thing that touches the terminal; it is restored on every way out, including a crash:
 * the crash is turned into a rejected promise after the terminal is back and the leave record
 * has been tried (briefly), so main.ts prints it on the normal screen and the room hears we left.
 *
 * Each room joined is its own link (room.ts): `/join` adds one, `/part` says goodbye in that
 * room and closes its link, leaving says goodbye in every room.
 */
import type { Io } from "../cli.ts";
import { notification } from "../term/ansi.ts";
import { ESC_TIMEOUT_MS, KeyDecoder } from "../term/keys.ts";
import { Screen } from "../term/screen.ts";
import { type ChatRecord, joinRecord, leaveRecord } from "../wire.ts";
import type { RoomHandlers, RoomLink } from "./room.ts";
import { type ChatEffect, type ChatEvent, type ChatOptions, initialState, type Size } from "./state.ts";
import { update } from "./update.ts";
import { view } from "./view.ts";

export interface ChatSession {
  /** The first room (line mode's only one). */
  room: string;
  /** Every room to join at the start, the first shown. */
  rooms: string[];
  user: string;
  options: ChatOptions;
  /** Connects to the first room; records and connection changes arrive through the handlers. */
  connect(handlers: RoomHandlers): Promise<RoomLink>;
  /** Connects to any room by its human name. */
  join(room: string, handlers: RoomHandlers): Promise<RoomLink>;
}

/** Longest wait for queued messages and the leave record when leaving. */
export const LEAVE_TIMEOUT_MS = 8000;
/** Longest a crash waits for the leave record (and the group's deletion) before reporting. */
export const CRASH_LEAVE_MS = 2000;
export const RETRY_MAX_MS = 15_000;

interface OutboxItem {
  /** 0 for the join record, which is not shown as a message. */
  id: number;
  room: string;
  record: ChatRecord;
}

function terminalSize(io: Io): Size {
  const [cols, rows] = io.stdout.getWindowSize?.() ?? [io.stdout.columns ?? 80, io.stdout.rows ?? 24];
  return { cols: cols || 80, rows: rows || 24 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChat(session: ChatSession, io: Io): Promise<number> {
  let state = initialState(session.rooms, session.user, terminalSize(io), session.options);
  const screen = new Screen({ stdin: io.stdin, stdout: io.stdout }, undefined, session.options.mouse);
  const decoder = new KeyDecoder();
  const links = new Map<string, RoomLink>();
  let escTimer: ReturnType<typeof setTimeout> | null = null;
  const outbox: OutboxItem[] = [];
  let sending = false;
  /** Ends the pump's wait between retries early (the connection is back, a room joined). */
  let retryNow: (() => void) | null = null;
  /** The leave record has been handed to Kafka (or tried): a crash must not send it again. */
  let leaveTried = false;
  let closing = false;
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
  const joined = (room: string) => state.rooms.some((r) => r.name === room);

  const pump = async () => {
    if (sending) return;
    sending = true;
    let delay = 500;
    while (outbox.length > 0 && !closing) {
      const item = outbox[0] as OutboxItem;
      const link = links.get(item.room);
      if (!link && !joined(item.room)) {
        // The room was left, or could not be joined: nothing to send it through.
        outbox.shift();
        continue;
      }
      try {
        if (!link) throw new Error("still joining the room");
        await link.send(item.record);
        // By identity: a room that joined meanwhile put its join record at the front.
        outbox.splice(outbox.indexOf(item), 1);
        delay = 500;
        if (item.id > 0) dispatch({ type: "sent", id: item.id });
      } catch (error) {
        if (item.id > 0 && link) dispatch({ type: "send-failed", id: item.id, reason: String(error) });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => retryNow?.(), delay);
          retryNow = () => {
            clearTimeout(timer);
            retryNow = null;
            resolve();
          };
        });
        delay = link ? Math.min(delay * 2, RETRY_MAX_MS) : 500;
      }
    }
    sending = false;
  };

  /** Waits (until `deadline`) for what is queued for `rooms` to be delivered. */
  const drained = async (rooms: (room: string) => boolean, deadline: number) => {
    while (outbox.some((item) => rooms(item.room)) && Date.now() < deadline) await sleep(50);
  };

  /** Sends the leave record through `link` (bounded) and closes it; false when not delivered. */
  const goodbye = async (link: RoomLink, record: ChatRecord, deadline: number) => {
    const ok = await Promise.race([
      link.send(record).then(
        () => true,
        () => false,
      ),
      sleep(Math.max(2000, deadline - Date.now())).then(() => false),
    ]);
    // Without the leave record delivered the broker is out of reach: closing would only time out.
    if (ok) await Promise.race([link.close(), sleep(3000)]);
    return ok;
  };

  const part = async (room: string, record: ChatRecord) => {
    await drained((r) => r === room, Date.now() + LEAVE_TIMEOUT_MS);
    const link = links.get(room);
    links.delete(room);
    if (link) await goodbye(link, record, Date.now() + LEAVE_TIMEOUT_MS);
  };

  const leave = async (record: ChatRecord) => {
    cleanupInput();
    const deadline = Date.now() + LEAVE_TIMEOUT_MS;
    await drained(() => true, deadline);
    // The pump stops retrying; what is left in the outbox is reported below.
    closing = true;
    retryNow?.();
    leaveTried = true;
    const all = [...links.values()];
    links.clear();
    const results = await Promise.all(all.map((link) => goodbye(link, record, deadline)));
    const leftOk = results.every(Boolean);
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

  const connect = async (room: string) => {
    const link = await session.join(room, {
      records: (records, live) => dispatch({ type: "records", room, records, live, now: new Date() }),
      connection: (connection, reason) => {
        dispatch({ type: "connection", room, state: connection, reason, now: new Date() });
        // The consumer got through again: queued messages go now, not after the backoff.
        if (connection === "connected") retryNow?.();
      },
    });
    if (state.leaving || closing || !joined(room)) {
      // Left (the room or the chat) while connecting: say goodbye properly now.
      await link.close();
      return;
    }
    links.set(room, link);
    dispatch({ type: "connection", room, state: "connected", now: new Date() });
    outbox.unshift({ id: 0, room, record: joinRecord(session.user, new Date()) });
    retryNow?.();
    void pump();
  };

  /** A room joined with /join that fails is reported in the chat; the session goes on. */
  const joinLater = (room: string) => {
    connect(room).catch((error: unknown) => {
      const reason = (error as { message?: string })?.message ?? String(error);
      dispatch({ type: "join-failed", room, reason: reason.split("\n")[0] ?? reason, now: new Date() });
    });
  };

  function perform(effect: ChatEffect) {
    switch (effect.type) {
      case "send":
        outbox.push({ id: effect.id, room: effect.room, record: effect.record });
        void pump();
        return;
      case "join":
        joinLater(effect.room);
        return;
      case "part":
        void part(effect.room, effect.record).catch(crash);
        return;
      case "leave":
        void leave(effect.record).catch(crash);
        return;
      case "bell":
        screen.bell();
        return;
      case "notify":
        if (session.options.notify)
          screen.notify(notification(session.options.notify, effect.title, effect.body));
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
    closing = true;
    const all = [...links.values()];
    links.clear();
    const record = leaveRecord(session.user, new Date());
    const sendLeave = !leaveTried;
    leaveTried = true;
    const farewell = (link: RoomLink) =>
      (sendLeave ? link.send(record) : Promise.resolve()).then(() => link.close());
    const farewells = Promise.all(all.map((link) => farewell(link).catch(() => {})));
    void Promise.race([farewells, sleep(CRASH_LEAVE_MS)]).then(() => {
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

  // The rooms given at the start must all be reachable: a failure ends the session, reported.
  Promise.all(session.rooms.map(connect)).catch(crash);
  return done;
}
