/**
 * Smart server URLs: `bzr://host[:port]/path` (port 4155) and
 * `bzr+ssh://[user[:password]@]host[:port]/path` (port 22), and the remote path a request
 * names, as Breezy's `remote_path_from_transport` makes it: the URL path relative to the
 * medium's root, unescaped, with a trailing slash (`trunk/`; the root itself is `.`).
 * Over bzr+ssh the server runs with `--directory=/`, so that path is the filesystem path.
 */
import { HpssError } from '../../shared/protocol';
import { redactUrlSecrets } from '../../shared/redact';
import { BZR_DEFAULT_PORT, SSH_DEFAULT_PORT } from '../../shared/host-port';

export type SmartScheme = 'bzr' | 'bzr+ssh';

export interface SmartUrl {
  scheme: SmartScheme;
  host: string;
  port: number;
  /** Whether the URL named the port. */
  explicitPort: boolean;
  username?: string;
  password?: string;
  /** The URL's path, unescaped, starting with `/`. */
  path: string;
  /** The path as requests send it (`trunk/`, `.`). */
  remotePath: string;
}

/** The remote path of a URL path: relative to the root, with a trailing slash; the root is `.`. */
export function remotePathOf(path: string): string {
  const relative = path.replace(/^\/+/, '');
  if (relative === '') return '.';
  return relative.endsWith('/') ? relative : `${relative}/`;
}

export function parseSmartUrl(text: string): SmartUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HpssError('transport', 'bad-url', `not a URL: ${redactUrlSecrets(text)}`, { fatal: false });
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'bzr' && scheme !== 'bzr+ssh') {
    const hint = scheme === 'ssh' || scheme === 'sftp' ? ` (did you mean bzr+ssh://${redactUrlSecrets(text).slice(scheme.length + 3)} ?)` : '';
    throw new HpssError('transport', 'unsupported-scheme', `unsupported URL scheme '${scheme}://': use bzr:// or bzr+ssh://${hint}`, { fatal: false });
  }
  if (!url.hostname) throw new HpssError('transport', 'bad-url', `no host in ${redactUrlSecrets(text)}`, { fatal: false });
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const path = decodeURIComponent(url.pathname || '/');
  return {
    scheme,
    host,
    port: url.port ? Number(url.port) : scheme === 'bzr' ? BZR_DEFAULT_PORT : SSH_DEFAULT_PORT,
    explicitPort: url.port !== '',
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    path,
    remotePath: remotePathOf(path),
  };
}
