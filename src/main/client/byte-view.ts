/** Bytes for people: text when they are printable UTF-8, else a classic hex dump. */
import { toHex, utf8OrNull } from '../../shared/protocol/text';

const DUMP_WIDTH = 16;

/** The bytes as text when they are valid UTF-8 without control characters (tabs, newlines allowed). */
export function printableText(bytes: Uint8Array): string | null {
  const text = utf8OrNull(bytes);
  if (text === null) return null;
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text) ? null : text;
}

/** `00000000  68 65 6c 6c 6f 0a              |hello.|`, at most `max` bytes. */
export function hexDump(bytes: Uint8Array, max = 4096): string {
  const lines: string[] = [];
  const shown = Math.min(bytes.length, max);
  for (let at = 0; at < shown; at += DUMP_WIDTH) {
    const row = bytes.subarray(at, Math.min(at + DUMP_WIDTH, shown));
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(DUMP_WIDTH * 3 - 1)}  |${ascii}|`);
  }
  if (bytes.length > shown) lines.push(`… ${bytes.length - shown} more bytes`);
  return lines.join('\n');
}

/** For JSON: `{text}` or `{hex}`. */
export function bytesForJson(bytes: Uint8Array): { text: string } | { hex: string } {
  const text = printableText(bytes);
  return text === null ? { hex: toHex(bytes) } : { text };
}
