/** Byte ↔ text helpers shared by bencode and rendering (TextEncoder/TextDecoder exist in Node and browsers). */

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** The bytes as UTF-8 text, or null when they are not valid UTF-8. */
export function utf8OrNull(bytes: Uint8Array): string | null {
  // Short ASCII (verbs, paths, revision ids) is the common case: skip TextDecoder's call cost.
  if (bytes.length <= 64) {
    let s = '';
    let i = 0;
    for (; i < bytes.length && bytes[i] < 0x80; i++) s += String.fromCharCode(bytes[i]);
    if (i === bytes.length) return s;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The bytes as a byte string, one char per byte (U+0000–U+00FF), as Python 2 held bytes: what
 * Breezy's formats parse. Not TextDecoder('latin1'): that label is windows-1252 by the web
 * standard (0x80–0x9F become other code points), which Node 20 does not follow but newer
 * runtimes and browsers do.
 */
export function byteString(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let at = 0; at < bytes.length; at += 8192) parts.push(String.fromCharCode(...bytes.subarray(at, at + 8192)));
  return parts.join('');
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => (b < 16 ? '0' : '') + b.toString(16));

export function toHex(bytes: Uint8Array): string {
  // Pairs joined per block: linear in the length (one string per byte appended was not).
  const parts: string[] = [];
  for (let at = 0; at < bytes.length; at += 8192) {
    const end = Math.min(bytes.length, at + 8192);
    let s = '';
    for (let i = at; i < end; i++) s += HEX_PAIRS[bytes[i]];
    parts.push(s);
  }
  return parts.join('');
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** How captures render bytes: UTF-8 text when valid, else `"hex:" + hex`. */
export function renderBytes(bytes: Uint8Array): string {
  return utf8OrNull(bytes) ?? 'hex:' + toHex(bytes);
}

/** A dict key as a string (see BValue). */
export function bytesToKey(bytes: Uint8Array): string {
  return renderBytes(bytes);
}

export function keyToBytes(key: string): Uint8Array {
  return key.startsWith('hex:') ? fromHex(key.slice(4)) : encoder.encode(key);
}

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}
