/**
 * Which topics the bot serves: every chat room (all topics but Kafka's internal ones), the
 * rooms named with `--rooms`, or the rooms whose human name matches `--room-pattern`.
 */
import { isUserError, type UserError, usageError } from "../errors.ts";
import { isInternalTopic, roomToTopic, topicToRoom } from "../rooms.ts";

export type TopicFilter = (topic: string) => boolean;

export function roomFilter(rooms: string | undefined, pattern: string | undefined): TopicFilter | UserError {
  if (rooms !== undefined && pattern !== undefined) {
    return usageError("give either --rooms or --room-pattern, not both");
  }
  if (rooms !== undefined) {
    const topics = new Set<string>();
    for (const room of rooms.split(",")) {
      if (room.trim() === "") continue;
      const topic = roomToTopic(room);
      if (isUserError(topic)) return topic;
      topics.add(topic);
    }
    if (topics.size === 0) return usageError("--rooms is empty; give room names separated by commas");
    return (topic) => topics.has(topic);
  }
  if (pattern !== undefined) {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern, "u");
    } catch (error) {
      return usageError(`--room-pattern is not a valid regular expression: ${(error as Error).message}`);
    }
    return (topic) => !isInternalTopic(topic) && regex.test(topicToRoom(topic));
  }
  return (topic) => !isInternalTopic(topic);
}
