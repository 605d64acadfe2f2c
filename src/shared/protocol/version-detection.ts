/**
 * A request's protocol version from its first bytes, as a Breezy server decides it
 * (medium.py `_get_protocol_factory_for_bytes`): the v3 marker, the v2 request marker, or
 * else v1. Breezy looks only once it has a whole line; so do we: a prefix that might still
 * become a marker and holds no newline yet is `need-more`.
 */
import type { ProtocolVersion } from './types';
import { MESSAGE_VERSION_THREE, NEWLINE, REQUEST_VERSION_TWO } from './markers';

function startsWith(data: Uint8Array, marker: Uint8Array): boolean {
  if (data.length < marker.length) return false;
  for (let i = 0; i < marker.length; i++) if (data[i] !== marker[i]) return false;
  return true;
}

export function detectRequestVersion(prefix: Uint8Array): ProtocolVersion | 'need-more' {
  if (startsWith(prefix, MESSAGE_VERSION_THREE)) return 3;
  if (startsWith(prefix, REQUEST_VERSION_TWO)) return 2;
  // Both markers end in "\n": without a newline the request line is not complete yet.
  if (prefix.indexOf(NEWLINE) === -1) return 'need-more';
  return 1;
}
