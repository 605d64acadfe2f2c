/**
 * A call hook that refuses VFS requests, with Breezy's error (medium.py `_VfsRefuser`,
 * `HpssVfsRequestNotAllowed`). A verb we do not know is not a VFS verb, as in Breezy.
 */
import { HpssError, isVfsVerb, utf8Bytes, type BValue } from '../../shared/protocol';
import type { CallHook } from './client-hooks';

/** Python's repr of the args tuple, as Breezy's message shows it: `(b'a', b'b')`. */
export function pythonTupleRepr(args: readonly BValue[]): string {
  const items = args.map(pythonRepr);
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

function pythonRepr(v: BValue): string {
  if (v instanceof Uint8Array) {
    let s = '';
    for (const b of v) {
      if (b === 0x5c) s += '\\\\';
      else if (b === 0x27) s += "\\'";
      else if (b === 0x0a) s += '\\n';
      else if (b === 0x0d) s += '\\r';
      else if (b === 0x09) s += '\\t';
      else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
      else s += `\\x${b.toString(16).padStart(2, '0')}`;
    }
    return `b'${s}'`;
  }
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  return `{${[...v].map(([k, x]) => `b'${k}': ${pythonRepr(x)}`).join(', ')}}`;
}

/** Breezy's text; it formats the method and args with Python's repr: `b'get', (b'/x',)`. */
export function vfsNotAllowedMessage(method: string, args: readonly BValue[]): string {
  return `VFS requests over the smart server are not allowed. Encountered: ${pythonRepr(utf8Bytes(method))}, ${pythonTupleRepr(args)}.`;
}

export const vfsRefuser: CallHook = (params) => {
  if (isVfsVerb(params.method)) {
    throw new HpssError('protocol', 'vfs-not-allowed', vfsNotAllowedMessage(params.method, params.args), { fatal: false });
  }
};
