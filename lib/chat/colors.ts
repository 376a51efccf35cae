/**
 * Stable sender colours: FNV-1a (32-bit) over the UTF-8 bytes of the NFC name picks one of a
 * fixed palette of xterm-256 colours. Users learn their friends' colours, so the hash and the
 * palette are part of the interface: changing either recolours everyone (weechat users
 * complained when that happened), and the test pins a few names.
 */
import { fnv1aBytes } from "../fnv1a.ts";

const PALETTE = [
  39, 41, 43, 69, 75, 78, 99, 105, 111, 118, 135, 141, 149, 166, 170, 172, 177, 178, 184, 203, 208, 212, 214,
  220,
] as const;

const encoder = new TextEncoder();

/** FNV-1a over the UTF-8 bytes, unsigned. */
export function fnv1a(text: string): number {
  return fnv1aBytes(encoder.encode(text)) >>> 0;
}

export function senderColor(sender: string): number {
  return PALETTE[fnv1a(sender.normalize("NFC")) % PALETTE.length] as number;
}
