/**
 * Serves one stream-pair session — an SSH exec channel or `serve --inet`'s
 * stdin/stdout — through a PipeServerMedium with the same core, backend and policies as
 * a TCP connection. Resolves with the medium's close reason.
 */
import type { Readable, Writable } from 'node:stream';
import { PipeServerMedium } from '../../medium/pipe-server-medium';
import { serveConnection, type ServeContext } from '../serve-connection';

export function servePipe(input: Readable, output: Writable, peer: string, ctx: ServeContext): Promise<string> {
  const medium = new PipeServerMedium({ input, output, peer, bus: ctx.bus, ids: ctx.ids, ownerId: ctx.ownerId });
  return new Promise((resolve) => {
    medium.once('close', resolve);
    serveConnection(medium, ctx);
  });
}
