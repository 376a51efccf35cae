/** `to` (a larger array of the same kind) holding `from`'s values at its start: how the audit's packed arrays grow. */
export function grown<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(
  from: T,
  to: T,
): T {
  to.set(from);
  return to;
}
