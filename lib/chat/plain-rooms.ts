/**
 * Rooms joined in line mode beside the one it started in (plain.ts keeps that one): `/join`
 * adds a room (its recent history, then the original's join record), `/part` leaves it with the
 * original's leave record. Lines typed go to the room joined last; `/part` goes back to the one
 * before. Once a second room is joined, every printed line starts with `#room ` so a script can
 * tell them apart. The room line mode started in is left with `exit` or the end of input, as always.
 */
import { safeText } from "../safe-text.ts";
import { type ChatRecord, type Decoded, joinRecord, leaveRecord } from "../wire.ts";
import { type People, seen } from "./presence.ts";
import type { RoomHandlers, RoomLink } from "./room.ts";
import type { ChatSession } from "./run.ts";

const HISTORY_WAIT_MS = 10_000;

export class PlainRooms {
  private readonly links = new Map<string, RoomLink>();
  private readonly people = new Map<string, People>();
  /** Once a second room was joined, every line carries its room, to the end (also the leave lines). */
  private labelled: boolean;

  constructor(
    private readonly session: ChatSession,
    private readonly print: (room: string, records: Decoded[]) => void,
    private readonly warn: (line: string) => void,
  ) {
    this.labelled = session.rooms.length > 1;
  }

  /** The room typed lines go to. */
  get current(): string {
    return [...this.links.keys()].at(-1) ?? this.session.room;
  }

  peopleOf(room: string): People {
    return this.people.get(room) ?? [];
  }

  /** The label printed lines start with (empty with a single room). */
  label(room: string): string {
    return this.labelled ? `#${safeText(room)} ` : "";
  }

  async join(room: string): Promise<void> {
    if (room === this.session.room || this.links.has(room)) {
      this.warn(`/join: already in #${safeText(room)}`);
      return;
    }
    const handlers: RoomHandlers = {
      records: (records) => {
        this.people.set(room, seen(this.peopleOf(room), records));
        this.print(room, records);
      },
      connection: (state, reason) => {
        if (state === "reconnecting")
          this.warn(`connection to Kafka lost in #${safeText(room)} (${reason ?? "unknown"}); reconnecting`);
      },
    };
    let link: RoomLink;
    try {
      link = await this.session.join(room, handlers);
    } catch (error) {
      this.warn(`/join: could not join #${safeText(room)}: ${(error as Error).message ?? String(error)}`);
      return;
    }
    this.links.set(room, link);
    this.labelled = true;
    await Promise.race([link.historyLoaded, Bun.sleep(HISTORY_WAIT_MS)]);
    await this.send(room, joinRecord(this.session.user, new Date()));
  }

  /** Leaves `room` (default: the current one); false when it is not one joined with /join. */
  async part(room: string | undefined): Promise<void> {
    const name = room ?? this.current;
    const link = this.links.get(name);
    if (!link) {
      this.warn(
        name === this.session.room
          ? `/part: #${safeText(name)} is the room line mode started in: exit (or the end of input) leaves it`
          : `/part: not in #${safeText(name)}`,
      );
      return;
    }
    this.links.delete(name);
    await this.send(name, leaveRecord(this.session.user, new Date()), link);
    await link.close();
  }

  /** Sends through the link of `room`; a failure is one line on stderr and false. */
  async send(room: string, record: ChatRecord, link = this.links.get(room)): Promise<boolean> {
    if (!link) return false;
    return link.send(record).then(
      () => true,
      (error: unknown) => {
        this.warn(`not sent in #${safeText(room)}: ${JSON.stringify(record.message)} (${String(error)})`);
        return false;
      },
    );
  }

  /** The leave record in every room joined with /join, then their links closed. */
  async leaveAll(record: ChatRecord): Promise<void> {
    const all = [...this.links.entries()];
    this.links.clear();
    await Promise.all(
      all.map(([room, link]) => this.send(room, record, link).then(() => link.close().catch(() => {}))),
    );
  }
}
