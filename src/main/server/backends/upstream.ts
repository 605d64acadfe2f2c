/**
 * The proxy's backend: each client connection gets its own connection to the upstream
 * smart server, and bytes are relayed unchanged. `bzr://` over TCP; `bzr+ssh://` through
 * an SSH exec channel (ssh-upstream.ts). Request paths go through as the client sent
 * them, so they name paths on the upstream server.
 */
import type { MediumKind } from '../../../shared/events';
import { resolveAndConnect } from '../../medium/tcp-client-connect';
import { asError } from '../../medium/server-medium';
import type { Backend, ConnectionContext } from './backend';
import { StreamUpstream } from './stream-upstream';
import { unknownMethodAnswer, type LocalAnswer } from '../policies/answers';
import type { RequestHead } from '../policies/decide';

export const DEFAULT_BZR_PORT = 4155;
export const DEFAULT_SSH_PORT = 22;

export interface UpstreamUrl {
  scheme: 'bzr' | 'bzr+ssh';
  host: string;
  port: number;
  user?: string;
  path: string;
}

export class UpstreamUrlError extends Error {
  override readonly name = 'UpstreamUrlError';
}

export function parseUpstreamUrl(text: string): UpstreamUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UpstreamUrlError(`not a URL: ${text} (expected bzr://HOST[:PORT]/ or bzr+ssh://[USER@]HOST[:PORT]/)`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'bzr' && scheme !== 'bzr+ssh') {
    const hint = scheme === 'ssh' ? ' (did you mean bzr+ssh://?)' : '';
    throw new UpstreamUrlError(`unsupported upstream scheme ${scheme}://${hint}: use bzr:// or bzr+ssh://`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new UpstreamUrlError(`no host in ${text}`);
  const port = url.port ? Number(url.port) : scheme === 'bzr' ? DEFAULT_BZR_PORT : DEFAULT_SSH_PORT;
  return { scheme, host, port, user: url.username ? decodeURIComponent(url.username) : undefined, path: decodeURIComponent(url.pathname || '/') };
}

/** A bzr:// upstream: every address the name resolves to is tried, as brz does. */
export function tcpUpstream(host: string, port: number, ctx: ConnectionContext): StreamUpstream {
  const upstream = new StreamUpstream();
  resolveAndConnect(host, port, () => undefined).then(
    (socket) => {
      socket.setNoDelay(true);
      socket.on('close', () => upstream.closed('connection closed'));
      upstream.attach({ input: socket, output: socket, teardown: () => socket.destroy() });
    },
    (err: unknown) => {
      const message = asError(err).message;
      ctx.bus.emit({ type: 'error', mediumId: ctx.mediumId, kind: 'transport', message: `upstream: ${message}`, fatal: true });
      upstream.closed(message);
    },
  );
  return upstream;
}

export type UpstreamConnector = (ctx: ConnectionContext) => StreamUpstream;

export class UpstreamBackend implements Backend {
  readonly description: string;
  readonly upstreamMedium: { kind: MediumKind; peer: string };

  constructor(
    readonly url: UpstreamUrl,
    private readonly connector: UpstreamConnector,
  ) {
    const hostPort = `${url.host.includes(':') ? `[${url.host}]` : url.host}:${url.port}`;
    this.upstreamMedium = url.scheme === 'bzr' ? { kind: 'tcp-client', peer: hostPort } : { kind: 'ssh-client', peer: `${url.user ? `${url.user}@` : ''}${hostPort}` };
    this.description = `proxy to ${url.scheme}://${url.user ? `${url.user}@` : ''}${url.host}:${url.port}${url.path}`;
  }

  connect(ctx: ConnectionContext): StreamUpstream {
    return this.connector(ctx);
  }

  answer(head: RequestHead): LocalAnswer {
    return unknownMethodAnswer(head);
  }

  close(): void {}
}
