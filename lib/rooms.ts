/**
 * Room name ↔ Kafka topic name. A room is a topic; the rule is reversible so every tool can
 * show the human name back:
 *
 * 1. The room name is normalized: Unicode NFC, surrounding whitespace trimmed. An empty name,
 *    or one containing control characters (C0, DEL, C1) or unpaired surrogates, is refused.
 * 2. A normalized name that is a legal Kafka topic name (`^[A-Za-z0-9._-]{1,249}$`, not `.` or
 *    `..`) and does not start with the reserved prefix `dchat.u.` is the topic name itself, so
 *    the original Python clients share the room.
 * 3. Any other name becomes `dchat.u.` + base64url (RFC 4648 §5, no padding) of its UTF-8 bytes;
 *    every base64url character is legal in topic names. Topics are at most 249 characters, so
 *    such names hold at most 180 bytes of UTF-8 (e.g. 60 Hangul syllables).
 *    Example: `팀2 회의실` → `dchat.u.7YyAMiDtmozsnZjsi6Q`.
 * 4. Back: a topic `dchat.u.<s>` where <s> is the canonical base64url of valid UTF-8 that rule 3
 *    would produce again is shown as that name; every other topic is shown as itself.
 *    Python: `base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode()`.
 *
 * Kafka refuses to create a topic whose name differs from an existing one only by `.` versus `_`
 * (their metric names collide), so rooms `a.b` and `a_b` cannot both exist on one cluster.
 */

import { type UserError, usageError } from "./errors.ts";

const ENCODED_PREFIX = "dchat.u.";
const MAX_TOPIC_LENGTH = 249;
/** The longest UTF-8 byte count whose unpadded base64 (ceil(4n/3) chars) still fits after the prefix. */
const MAX_ENCODED_BYTES = Math.floor(((MAX_TOPIC_LENGTH - ENCODED_PREFIX.length) * 3) / 4);
const LEGAL_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function isPlainTopicName(name: string): boolean {
  return LEGAL_TOPIC.test(name) && name !== "." && name !== ".." && !name.startsWith(ENCODED_PREFIX);
}

function normalize(room: string): string {
  return room.normalize("NFC").trim();
}

export function roomToTopic(room: string): string | UserError {
  const name = normalize(room);
  if (name === "") return usageError("room name is empty: give a room name such as 'general'");
  if (CONTROL.test(name)) {
    return usageError("room name contains control characters: type the room name as plain text");
  }
  if (!name.isWellFormed()) {
    return usageError("room name is not valid Unicode (unpaired surrogate): type it again");
  }
  if (isPlainTopicName(name)) return name;
  const bytes = Buffer.from(name, "utf8");
  if (bytes.byteLength > MAX_ENCODED_BYTES) {
    return usageError(
      `room name is too long: at most ${MAX_ENCODED_BYTES} bytes of UTF-8 (this one has ${bytes.byteLength}); choose a shorter name`,
    );
  }
  return ENCODED_PREFIX + bytes.toString("base64url");
}

export function topicToRoom(topic: string): string {
  if (!topic.startsWith(ENCODED_PREFIX)) return topic;
  const encoded = topic.slice(ENCODED_PREFIX.length);
  if (!BASE64URL.test(encoded)) return topic;
  let name: string;
  try {
    name = strictUtf8.decode(Buffer.from(encoded, "base64url"));
  } catch {
    return topic;
  }
  // Only the exact topic rule 3 produces maps back, so two topics never show the same room name.
  return roomToTopic(name) === topic ? name : topic;
}

/** Kafka's and tools' own topics (`__consumer_offsets`, `__transaction_state`, `_schemas`). */
export function isInternalTopic(topic: string): boolean {
  return topic.startsWith("_");
}
