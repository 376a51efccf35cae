/**
 * The room bar at the left of the status line. One room: `#team2`, as before. Several:
 * `[1:#team2] 2:#ops(5) 3:#팀2(2@)` — the shown room in brackets, others with the number of
 * messages that arrived while they were not shown and `@` when one of them named you. When the
 * bar is too wide, quiet rooms are left out first (the shown one always stays). Room names are
 * remote-controlled text (anyone can create a topic), so they pass safeText.
 */
import { safeText } from "../safe-text.ts";
import { cellWidth, type WidthOptions } from "../width.ts";
import type { ChatState, RoomState } from "./state.ts";

function label(room: RoomState, index: number, shown: boolean): string {
  const name = `${index + 1}:#${safeText(room.name)}`;
  if (shown) return `[${name}]`;
  const { messages, mentions, other } = room.activity;
  if (mentions > 0) return `${name}(${messages}@)`;
  if (messages > 0) return `${name}(${messages})`;
  return other > 0 ? `${name}(·)` : name;
}

export function roomBar(state: ChatState, width: number, options: WidthOptions): string {
  if (state.rooms.length === 1) return `#${safeText(state.rooms[0]?.name ?? "")}`;
  const all = state.rooms.map((room, i) => ({
    text: label(room, i, i === state.current),
    keep: i === state.current || room.activity.messages + room.activity.other > 0,
  }));
  const joined = (items: typeof all) => items.map((item) => item.text).join(" ");
  const full = joined(all);
  if (cellWidth(full, options) <= width) return full;
  return joined(all.filter((item) => item.keep));
}
