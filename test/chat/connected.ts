import type { ChatState } from "../../lib/chat/state.ts";
import { update } from "../../lib/chat/update.ts";

/** The rooms' links up and their join records acknowledged, as once a chat session has started. */
export function connected(state: ChatState, now: Date): ChatState {
  for (const room of state.rooms) {
    [state] = update(state, { type: "linked", room: room.name, now });
    [state] = update(state, { type: "sent", id: state.session.inFlight as number, now });
  }
  return state;
}
