/**
 * The proxy's backend: each client connection gets its own connection to the upstream
 * smart server, and bytes are relayed unchanged. `bzr://` over TCP; `bzr+ssh://` through
 * an SSH exec channel (ssh-upstream.ts). Request paths go through as the client sent
 * them, so they name paths on the upstream server.
 */
import { BZR_DEFAULT_PORT, formatHostPort, SSH_DEFAULT_PORT } from '../../../shared/host-port';
import { resolveAndConnect } from '../../medium/tcp-client-connect';
import type { ConnectionContext } from './backend';
import { RelayBackend, type UpstreamConnector } from './relay';
import { StreamUpstream } from './stream-upstream';


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
  const port = url.port ? Number(url.port) : scheme === 'bzr' ? BZR_DEFAULT_PORT : SSH_DEFAULT_PORT;
  return { scheme, host, port, user: url.username ? decodeURIComponent(url.username) : undefined, path: decodeURIComponent(url.pathname || '/') };
}

/** A bzr:// upstream: every address the name resolves to is tried, as brz does. */
export function tcpUpstream(host: string, port: number, ctx: ConnectionContext): StreamUpstream {
  const upstream = new StreamUpstream();
  resolveAndConnect(host, port, upstream.setup.onStep).then(
    (socket) => {
      socket.setNoDelay(true);
      socket.on('close', () => upstream.closed('connection closed'));
      upstream.attach({ input: socket, output: socket, teardown: () => socket.destroy() });
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      ctx.bus.emit({ type: 'error', mediumId: ctx.mediumId, kind: 'transport', message: `upstream: ${message}`, fatal: true });
      upstream.closed(message);
    },
  );
  return upstream;
}

/** The proxy's backend: every client connection relayed to its own connection to `url`. */
export function upstreamBackend(url: UpstreamUrl, connector: UpstreamConnector): RelayBackend {
  const hostPort = formatHostPort(url.host, url.port);
  const user = url.user ? `${url.user}@` : '';
  const target = url.scheme === 'bzr' ? { kind: 'tcp-client' as const, peer: hostPort } : { kind: 'ssh-client' as const, peer: `${user}${hostPort}` };
  return new RelayBackend(`proxy to ${url.scheme}://${user}${url.host}:${url.port}${url.path}`, target, connector);
}
