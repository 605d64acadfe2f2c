/** `HOST:PORT` listen addresses (IPv6 hosts in brackets) and the bzr:// URL of one. */

export const DEFAULT_LISTEN = '127.0.0.1:4155';

export interface ListenAddress {
  host: string;
  port: number;
}

export class ListenAddressError extends Error {
  override readonly name = 'ListenAddressError';
}

export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text.trim());
  if (!m) throw new ListenAddressError(`invalid listen address '${text}': expected HOST:PORT, e.g. 127.0.0.1:4155 or [::1]:0`);
  const port = Number(m[3]);
  if (port > 65535) throw new ListenAddressError(`invalid port ${port} in '${text}'`);
  return { host: m[1] ?? m[2], port };
}

export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function bzrUrl(host: string, port: number): string {
  return `bzr://${formatHostPort(host, port)}/`;
}
