/**
 * Which rooms the bot serves right now, and the wait for that to change. The consumer cannot
 * change a running subscription, so the room list is re-read every `rescanMs`; when it
 * changes, the replica leaves the group and rejoins with the new list (membership.ts).
 */
import type { GroupAdmin } from "../kafka/group-admin.ts";
import type { Logger } from "./log.ts";
import { errorText } from "./log.ts";
import { pause } from "./pause.ts";
import type { TopicFilter } from "./rooms-served.ts";

/** The served rooms' topics, sorted. */
export async function listRooms(admin: Pick<GroupAdmin, "topics">, filter: TopicFilter): Promise<string[]> {
  return (await admin.topics()).filter(filter).sort();
}

/** Resolves once the served rooms are no longer `topics`, or on stop; a failed rescan is logged and retried. */
export async function untilRoomsChange(
  admin: Pick<GroupAdmin, "topics">,
  topics: string[],
  watch: { filter: TopicFilter; rescanMs: number; signal: AbortSignal; log: Logger },
): Promise<void> {
  const current = topics.join("\n");
  while (!watch.signal.aborted) {
    await pause(watch.rescanMs, watch.signal);
    if (watch.signal.aborted) return;
    try {
      if ((await listRooms(admin, watch.filter)).join("\n") !== current) return;
    } catch (error) {
      watch.log("warn", "rescan-failed", { error: errorText(error) });
    }
  }
}
