/**
 * Responses a server or proxy sends on its own, in the forms Breezy's client turns into
 * a readable message. Pure data; `encodeAnswer` puts them on the wire.
 */
import type { ProtocolVersion, ResponseStatus } from '../../../shared/protocol';
import { MESSAGE_VERSION_THREE, REQUEST_VERSION_TWO } from '../../../shared/protocol';
import type { RequestHead } from './decide';

export interface LocalAnswer {
  /** The protocol version to answer in (a request's own, or older when emulating). */
  protocol: ProtocolVersion;
  status: ResponseStatus;
  args: string[];
}

/** Breezy's HpssVfsRequestNotAllowed text. */
export function vfsNotAllowedMessage(verb: string, args: string[]): string {
  return `VFS requests over the smart server are not allowed. Encountered: ${verb}, ${pythonTuple(args)}.`;
}

/** A Python tuple repr of byte strings, as Breezy prints its arguments. */
function pythonTuple(args: string[]): string {
  const items = args.map((a) => `b'${a.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/**
 * Refusal of a VFS verb: `('error', TEXT)`. A brz client has no translation for it, so it
 * shows the tuple with Breezy's VFS text and the verb in it ("Server sent an unexpected
 * error: (b'error', b'VFS requests … Encountered: mkdir, …')"; in v1, "Could not understand
 * response from smart server"). `PermissionDenied` would read better but is swallowed
 * where brz tolerates it (`Transport.ensure_base` after a refused `mkdir`), hiding the cause.
 */
export function vfsRefusedAnswer(head: RequestHead): LocalAnswer {
  return { protocol: head.protocol, status: 'E', args: ['error', vfsNotAllowedMessage(head.verb, head.args)] };
}

/** How a Breezy server answers a verb it does not know (protocol.py, message.py). */
export function unknownMethodAnswer(head: { protocol: ProtocolVersion; verb: string }): LocalAnswer {
  if (head.protocol === 3) return { protocol: 3, status: 'E', args: ['UnknownMethod', head.verb] };
  return { protocol: head.protocol, status: 'E', args: ['error', `Generic bzr smart protocol error: bad request '${head.verb}'`] };
}

/**
 * A server older than the request's version reads the version marker line as a v1
 * request for a verb of that name and answers in v1 that it does not know it; a brz
 * client sees no v3 marker, reconnects and retries with v2 (client.py).
 */
export function oldServerAnswer(requestProtocol: 2 | 3 | ProtocolVersion): LocalAnswer {
  const marker = requestProtocol === 3 ? MESSAGE_VERSION_THREE : REQUEST_VERSION_TWO;
  const line = new TextDecoder().decode(marker).replace(/\n$/, '');
  return unknownMethodAnswer({ protocol: 1, verb: line });
}
