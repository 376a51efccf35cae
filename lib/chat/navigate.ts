/**
 * Moving around: switching rooms (the read marker is set in the room left, its activity
 * cleared in the room shown), the hotlist's choice for Alt-a, following the newest message,
 * and search matches.
 */
import { findMatch } from "./search.ts";
import {
  type Activity,
  type ChatState,
  noActivity,
  type RoomState,
  type Search,
  shown,
  withRoom,
  withShown,
} from "./state.ts";

/** The room as left: reading resumes below a marker at what is newest now. */
function markRead(room: RoomState): RoomState {
  return { ...room, marker: room.scrollback.nextSeq, search: null };
}

export function switchTo(state: ChatState, index: number): ChatState {
  if (index === state.current || index < 0 || index >= state.rooms.length) return state;
  const left = withShown(state, markRead);
  return withRoom({ ...left, current: index, completion: null }, index, (room) => ({
    ...room,
    activity: noActivity,
  }));
}

/** Hotlist priority: a mention outranks a message, which outranks joins and leaves. */
function priority(activity: Activity): number {
  return activity.mentions > 0 ? 3 : activity.messages > 0 ? 2 : activity.other > 0 ? 1 : 0;
}

/** The room Alt-a goes to: the highest priority, the first in the bar among equals; -1 for none. */
export function hottest(state: ChatState): number {
  let best = -1;
  let bestPriority = 0;
  state.rooms.forEach((room, index) => {
    const p = priority(room.activity);
    if (index !== state.current && p > bestPriority) {
      best = index;
      bestPriority = p;
    }
  });
  return best;
}

export function toBottom(state: ChatState): ChatState {
  return withShown(state, (room) => ({ ...room, anchor: null, unread: 0, search: null }));
}

/** Scrolling up from the newest message leaves a read marker there. */
export function scrolledTo(state: ChatState, anchor: RoomState["anchor"]): ChatState {
  return withShown(state, (room) => ({
    ...room,
    anchor,
    unread: anchor ? room.unread : 0,
    marker: anchor && !room.anchor ? room.scrollback.nextSeq : room.marker,
  }));
}

/** The view with the search's match at the bottom of the pane (or unmoved without a match). */
export function showSearch(state: ChatState, search: Search): ChatState {
  const room = shown(state);
  const anchor = search.match === null ? room.anchor : { seq: search.match, row: Number.MAX_SAFE_INTEGER };
  return withShown(state, (r) => ({ ...r, search, anchor }));
}

export function searchFor(state: ChatState, query: string, editing: boolean): ChatState {
  const room = shown(state);
  return showSearch(state, { query, editing, match: findMatch(room.scrollback, query, null, "older") });
}

export function searchAgain(state: ChatState, direction: "older" | "newer"): ChatState {
  const room = shown(state);
  const search = room.search;
  if (!search) return searchFor(state, "", true);
  const match = findMatch(room.scrollback, search.query, search.match, direction);
  return showSearch(state, { ...search, editing: true, match: match ?? search.match });
}
