/**
 * A call hook that refuses VFS requests, with Breezy's error (medium.py `_VfsRefuser`,
 * `HpssVfsRequestNotAllowed`). A verb we do not know is not a VFS verb, as in Breezy.
 */
import { HpssError, isVfsVerb, pythonRepr, utf8Bytes, vfsNotAllowedText, type BValue } from '../../shared/protocol';
import type { CallHook } from './client-hooks';

/** Breezy's client text: it formats the method and args with Python's repr: `b'get', (b'/x',)`. */
export function vfsNotAllowedMessage(method: string, args: readonly BValue[]): string {
  return vfsNotAllowedText(pythonRepr(utf8Bytes(method)), args);
}

export const vfsRefuser: CallHook = (params) => {
  if (isVfsVerb(params.method)) {
    throw new HpssError('protocol', 'vfs-not-allowed', vfsNotAllowedMessage(params.method, params.args), { fatal: false });
  }
};
