/** Listen addresses (`HOST:PORT`, src/shared/host-port.ts) and the bzr:// URL of one. */
import { BZR_DEFAULT_PORT, formatHostPort, parseHostPort, type HostPort } from '../../shared/host-port';

export const DEFAULT_LISTEN = `127.0.0.1:${BZR_DEFAULT_PORT}`;

export type ListenAddress = HostPort;

export class ListenAddressError extends Error {
  override readonly name = 'ListenAddressError';
}

export function parseListen(text: string): ListenAddress {
  const parsed = parseHostPort(text);
  if (parsed) return parsed;
  const port = /:(\d+)$/.exec(text.trim())?.[1];
  if (port !== undefined && Number(port) > 65535) throw new ListenAddressError(`invalid port ${Number(port)} in '${text}'`);
  throw new ListenAddressError(`invalid listen address '${text}': expected HOST:PORT, e.g. 127.0.0.1:${BZR_DEFAULT_PORT} or [::1]:0`);
}

export { formatHostPort };

export function bzrUrl(host: string, port: number): string {
  return `bzr://${formatHostPort(host, port)}/`;
}
