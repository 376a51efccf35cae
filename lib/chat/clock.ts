/** `HH:MM` in local time, as every line of the chat shows it (`--:--` when the time is unknown). */
export function clock(time: Date | null): string {
  if (!time) return "--:--";
  return `${String(time.getHours()).padStart(2, "0")}:${String(time.getMinutes()).padStart(2, "0")}`;
}
