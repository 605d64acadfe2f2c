/**
 * Error answers whose exact form a Breezy client depends on (protocol.py, message.py,
 * client.py): what an unknown verb gets, and what an older server answers a newer request.
 */
import { MESSAGE_VERSION_THREE, REQUEST_VERSION_TWO, V1_ERROR_CODES, V1_GENERIC_ERROR } from './markers';
import { renderBytes } from './text';
import type { BValue, ProtocolVersion, ResponseStatus } from './types';

/** A v1 response has no status: a client tells failure by its first field, as Breezy's does. */
export function v1ResponseStatus(args: readonly BValue[]): ResponseStatus {
  const first = args[0];
  const word = first instanceof Uint8Array ? renderBytes(first) : '';
  return V1_ERROR_CODES.has(word) || word === V1_GENERIC_ERROR ? 'E' : 'S';
}

/** The error tuple of a verb the server does not know: v3 `UnknownMethod`, v1/v2 the "bad request" text. */
export function unknownMethodArgs(protocol: ProtocolVersion, verb: string): string[] {
  if (protocol === 3) return ['UnknownMethod', verb];
  return ['error', `Generic bzr smart protocol error: bad request '${verb}'`];
}

/**
 * A server older than the request's version reads the version marker line as a v1
 * request for a verb of that name and answers in v1 that it does not know it; a brz
 * client sees no v3 marker, reconnects and retries with v2 (client.py).
 */
export function olderServerArgs(requestProtocol: ProtocolVersion): string[] {
  const marker = requestProtocol === 3 ? MESSAGE_VERSION_THREE : REQUEST_VERSION_TWO;
  return unknownMethodArgs(1, new TextDecoder().decode(marker).replace(/\n$/, ''));
}
