/**
 * Stable sender colours: FNV-1a (32-bit) over the UTF-8 bytes of the NFC name picks one of a
 * fixed palette of xterm-256 colours. Users learn their friends' colours, so the hash and the
 * palette are part of the interface: changing either recolours everyone (weechat users
 * complained when that happened), and the test pins a few names.
 */
const PALETTE = [
  39, 41, 43, 69, 75, 78, 99, 105, 111, 118, 135, 141, 149, 166, 170, 172, 177, 178, 184, 203, 208, 212, 214,
  220,
] as const;

const encoder = new TextEncoder();

export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function senderColor(sender: string): number {
  return PALETTE[fnv1a(sender.normalize("NFC")) % PALETTE.length] as number;
}
