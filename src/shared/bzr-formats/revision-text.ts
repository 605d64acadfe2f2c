/**
 * The fields of a 2a revision text that repository statistics need (breezy/bzr/
 * chk_serializer.py BEncodeRevisionSerializer1): the text is a bencoded list of
 * [key, value] pairs — `format` 10, `committer` (UTF-8), `timezone` (int, seconds east of
 * UTC, may be missing), `properties`, `timestamp` (bytes, `%.3f` seconds), `revision-id`,
 * `parent-ids`, `inventory-sha1`, `message`.
 */
import { byteString } from '../protocol/text';
import { bdecode } from '../protocol/bencode';
import type { BValue } from '../protocol/types';

export interface RevisionStamp {
  committer: string;
  /** Seconds since the epoch, as the text has it. */
  timestamp: number;
  /** Seconds east of UTC; null when the text has none. */
  timezone: number | null;
}

export class BadRevisionTextError extends Error {
  override readonly name = 'BadRevisionTextError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseRevisionStamp(text: Uint8Array): RevisionStamp {
  let pairs: BValue;
  try {
    pairs = bdecode(text);
  } catch (err) {
    throw new BadRevisionTextError(`invalid revision text: ${(err as Error).message}`);
  }
  if (!Array.isArray(pairs)) throw new BadRevisionTextError('invalid revision text');
  const fields = new Map<string, BValue>();
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2 || !(pair[0] instanceof Uint8Array)) throw new BadRevisionTextError('invalid revision text');
    fields.set(byteString(pair[0]), pair[1]);
  }
  if (fields.get('format') !== 10) throw new BadRevisionTextError('Format number was not recognized, expected 10');
  const committer = fields.get('committer');
  const timestamp = fields.get('timestamp');
  const timezone = fields.get('timezone') ?? null;
  if (!(committer instanceof Uint8Array)) throw new BadRevisionTextError('revision text has no committer');
  if (!(timestamp instanceof Uint8Array)) throw new BadRevisionTextError('revision text has no timestamp');
  const seconds = Number(byteString(timestamp).trim());
  if (!Number.isFinite(seconds)) throw new BadRevisionTextError('revision timestamp is not a number');
  if (timezone !== null && typeof timezone !== 'number') throw new BadRevisionTextError('revision timezone is not an integer');
  let name: string;
  try {
    name = utf8.decode(committer);
  } catch {
    throw new BadRevisionTextError('revision committer is not UTF-8');
  }
  return { committer: name, timestamp: seconds, timezone };
}
