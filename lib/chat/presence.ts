/**
 * Who is in a room, from what the room itself carries: the original clients send a join record
 * (`[INFO]` "User [X] has entered the chat!") and a leave record (`end: true`), and nothing else
 * (no heartbeat). So a person is
 *
 * - **here** when their last sign — their join record or a message of theirs — is newer than
 *   their last leave record and at most PRESENCE_LEASE_MS old;
 * - **not heard from** when they joined or spoke and never left, but longer ago than that: a
 *   client killed with -9 (or whose machine died) never sends its leave record, and the lease
 *   is what keeps it from staying "here" forever;
 * - gone once their leave record arrives.
 *
 * Only what the client has read counts (the history it loaded on join, then everything live):
 * someone who joined before that window and stayed silent is not known. The list is kept most
 * recently active first, which is also the order Tab completion offers names in.
 */
import { type Decoded, INFO_SENDER } from "../wire.ts";

export interface Person {
  name: string;
  /** Time of the last sign (join, message or leave). */
  at: Date;
  /** What that sign was. */
  last: "joined" | "spoke" | "left";
}

/** Most recent first. */
export type People = readonly Person[];

export const PRESENCE_LEASE_MS = 60 * 60 * 1000;
const PEOPLE_LIMIT = 500;
const JOIN = /^User \[(.+)\] has entered the chat!\n?$/s;

/** Bracketed senders (`[INFO]`, `[bot]`) are programs, not people. */
export function isSystemName(name: string): boolean {
  return /^\[.*\]$/.test(name);
}

function sign(decoded: Decoded): Person | null {
  if (!decoded.ok) return null;
  const { sender, message, end } = decoded.record;
  const at = decoded.time;
  if (end) return { name: sender.normalize("NFC"), at, last: "left" };
  if (sender === INFO_SENDER) {
    const joined = JOIN.exec(message);
    return joined ? { name: (joined[1] as string).normalize("NFC"), at, last: "joined" } : null;
  }
  return isSystemName(sender) ? null : { name: sender.normalize("NFC"), at, last: "spoke" };
}

/** The people after a batch of records (one copy of the list per batch, not per record). */
export function seen(people: People, records: Decoded[]): People {
  const latest = new Map<string, Person>();
  for (const decoded of records) {
    const person = sign(decoded);
    if (!person) continue;
    latest.delete(person.name);
    latest.set(person.name, person);
  }
  if (latest.size === 0) return people;
  const fresh = [...latest.values()].reverse();
  return [...fresh, ...people.filter((p) => !latest.has(p.name))].slice(0, PEOPLE_LIMIT);
}

export interface Presence {
  here: Person[];
  quiet: Person[];
}

export function presence(people: People, now: Date): Presence {
  const here: Person[] = [];
  const quiet: Person[] = [];
  for (const person of people) {
    if (person.last === "left") continue;
    (now.getTime() - person.at.getTime() <= PRESENCE_LEASE_MS ? here : quiet).push(person);
  }
  return { here, quiet };
}
