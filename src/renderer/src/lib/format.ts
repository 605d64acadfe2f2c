/** Small display helpers shared by the views. */
import type { JsonValue } from '../../../shared/events';
import { formatDuration } from '../../../shared/units';

export { formatBytes } from '../../../shared/units';

/** 25015 → "25,015": counts read at a glance. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A duration, or "…" while it runs. */
export function formatMs(ms: number | null): string {
  return ms === null ? '…' : formatDuration(ms);
}

export function formatTime(t: number): string {
  const d = new Date(t);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** One protocol value as the user reads it: text as-is, bytes as hex, lists in parentheses. */
export function formatValue(v: JsonValue): string {
  if (typeof v === 'string') return v.startsWith('hex:') ? `<${v.slice(4)}>` : JSON.stringify(v);
  if (Array.isArray(v)) return `(${v.map(formatValue).join(', ')})`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')}}`;
  return String(v);
}

export function formatArgs(args: JsonValue[]): string {
  return args.map(formatValue).join(', ');
}

/** The bytes behind a preview string ("hex:…" or UTF-8 text). */
export function previewBytes(preview: string): Uint8Array {
  if (preview.startsWith('hex:')) {
    const hex = preview.slice(4);
    const out = new Uint8Array(Math.floor(hex.length / 2));
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  return new TextEncoder().encode(preview);
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Classic hex dump: offset, `perRow` bytes in hex, then printable ASCII. */
export function hexDump(bytes: Uint8Array, max = 4096, perRow = 16): string {
  const lines: string[] = [];
  const n = Math.min(bytes.length, max);
  for (let off = 0; off < n; off += perRow) {
    const row = bytes.subarray(off, Math.min(off + perRow, n));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(6, '0')}  ${hex.padEnd(perRow * 3 - 1)}  ${ascii}`);
  }
  if (bytes.length > n) lines.push(`… ${bytes.length - n} more bytes`);
  return lines.join('\n');
}

export function bytesAsText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}
