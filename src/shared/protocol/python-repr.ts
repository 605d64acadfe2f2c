/**
 * Python's repr of protocol values, as Breezy's messages show them (`b'get'`, `(b'/x',)`).
 * Bounded: a byte string longer than `REPR_MAX_BYTES` shows its first bytes and its length,
 * so a message about a 10 MB argument costs what a message about a short one does.
 */
import type { BValue } from './types';

export const REPR_MAX_BYTES = 200;

export function pythonRepr(v: BValue): string {
  if (v instanceof Uint8Array) {
    let s = '';
    const shown = Math.min(v.length, REPR_MAX_BYTES);
    for (let i = 0; i < shown; i++) {
      const b = v[i];
      if (b === 0x5c) s += '\\\\';
      else if (b === 0x27) s += "\\'";
      else if (b === 0x0a) s += '\\n';
      else if (b === 0x0d) s += '\\r';
      else if (b === 0x09) s += '\\t';
      else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
      else s += `\\x${b.toString(16).padStart(2, '0')}`;
    }
    return shown < v.length ? `b'${s}'…(${v.length} bytes)` : `b'${s}'`;
  }
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  return `{${[...v].map(([k, x]) => `b'${k}': ${pythonRepr(x)}`).join(', ')}}`;
}

/** A tuple's repr: `(b'a',)`, `(b'a', b'b')`. */
export function pythonTupleRepr(args: readonly BValue[]): string {
  const items = args.map(pythonRepr);
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** Breezy's HpssVfsRequestNotAllowed text; `method` as the caller shows it (the client quotes it as Python does). */
export function vfsNotAllowedText(method: string, args: readonly BValue[]): string {
  return `VFS requests over the smart server are not allowed. Encountered: ${method}, ${pythonTupleRepr(args)}.`;
}
