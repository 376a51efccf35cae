/**
 * One consumer-group membership over the current room list: join, hand each assignment to the
 * slot ownership (ownership.ts), answer the batches of owned slots (answer-batch.ts), and leave
 * when the room list changes, on stop, or when a transaction or the member fails (the replica
 * then rejoins, and what it is assigned next is taken over afresh).
 */

import { type FetchedBatch, joinGroup } from "../kafka/group.ts";
import { type GroupAdmin, openGroupAdmin } from "../kafka/group-admin.ts";
import { removeMember } from "../kafka/group-leave.ts";
import type { KafkaClient } from "../kafka/index.ts";
import { topicToRoom } from "../rooms.ts";
import { type AnswerContext, answerBatch } from "./answer-batch.ts";
import { errorText, type Logger } from "./log.ts";
import type { BotMetrics } from "./metrics.ts";
import type { SlotOwnership } from "./ownership.ts";
import type { TopicFilter } from "./rooms-served.ts";
import { listRooms, untilRoomsChange } from "./rooms-watch.ts";
import { assignSlots } from "./slots.ts";

/** A replica killed with -9 or frozen holds its slots until its session times out. */
const SESSION_TIMEOUT_MS = 10_000;

export interface MembershipConfig {
  groupId: string;
  filter: TopicFilter;
  rescanMs: number;
  log: Logger;
  metrics: BotMetrics;
  signal: AbortSignal;
  ownership: SlotOwnership;
  /** How batches are answered (db, limiter, report); `fail` is the membership's own. */
  answering: Omit<AnswerContext, "fail">;
}

export class Membership {
  /** Rooms seen at the first successful listing: read from their end when the group has no offset. */
  #initial: Set<string> | undefined;
  /** The member of a failed membership, whose leave may not have reached a coordinator. */
  #leftBehind: string | undefined;

  constructor(
    private readonly client: KafkaClient,
    private readonly config: MembershipConfig,
  ) {}

  /** Serves the rooms until their list changes or the bot stops; rejects when the membership fails. */
  async serve(): Promise<void> {
    const admin = await openGroupAdmin(this.client);
    try {
      await this.#serve(admin);
    } finally {
      await admin.close();
    }
  }

  async #serve(admin: GroupAdmin): Promise<void> {
    const { config } = this;
    const topics = await listRooms(admin, config.filter);
    this.#initial ??= new Set(topics);
    config.log("info", "rooms", { rooms: topics.map(topicToRoom) });
    const watch = {
      filter: config.filter,
      rescanMs: config.rescanMs,
      signal: config.signal,
      log: config.log,
    };
    if (topics.length === 0) return await untilRoomsChange(admin, topics, watch);
    let fail: (error: unknown) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    // A failure before the race below starts waiting is still seen by it.
    failed.catch(() => {});
    const context: AnswerContext = { ...config.answering, fail };
    const { ownership, metrics, log } = config;
    if (this.#leftBehind !== undefined) {
      // Else the group keeps it until its session times out, and this join waits for it.
      const removed = await removeMember(this.client, config.groupId, this.#leftBehind, SESSION_TIMEOUT_MS);
      log("info", "left-behind", { member: this.#leftBehind, removed });
      this.#leftBehind = undefined;
    }
    const member = await joinGroup(this.client, {
      groupId: config.groupId,
      topics,
      assigner: { name: "dchat-bot-slots", assign: assignSlots },
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      handlers: {
        assigned: (assignment, member) =>
          ownership.assigned(assignment, {
            member,
            admin,
            fromStart: (topic) => !this.#initial?.has(topic),
            fail,
          }),
        batch: (batch: FetchedBatch) => {
          // Not (yet, or any more) ours: left unread, so it is fetched again if it becomes ours.
          const pipeline = ownership.pipelineFor(batch.topic, batch.partition);
          return pipeline === undefined ? Promise.resolve("unread") : answerBatch(batch, pipeline, context);
        },
        heartbeat: () => {
          metrics.heardAt = Date.now();
        },
        crashed: (failure) => {
          log("error", "consumer-crash", { error: errorText(failure) });
          fail(failure);
        },
      },
    });
    try {
      await Promise.race([untilRoomsChange(admin, topics, watch), failed]);
    } catch (error) {
      // A failure is often a broker gone, maybe the group's coordinator: the leave below may not reach it.
      this.#leftBehind = member.memberId;
      throw error;
    } finally {
      // The answers read are committed while this replica still owns their slots (a stop, a
      // new room list): nothing more is fetched, what is queued commits, then it leaves.
      member.pause();
      await ownership.settled();
      await member.leave();
      await ownership.release();
    }
  }
}
