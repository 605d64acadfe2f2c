/**
 * `HOST:PORT` as every part of the tool writes and reads it (IPv6 hosts in brackets), and
 * the smart server's default port. One home: listeners, peers, URLs and the API validator
 * all use these.
 */

/** bzr:// servers listen on 4155 (IANA-registered; Breezy's `bzr serve` default). */
export const BZR_DEFAULT_PORT = 4155;
/** bzr+ssh:// goes to sshd's port. */
export const SSH_DEFAULT_PORT = 22;

export interface HostPort {
  host: string;
  port: number;
}

const HOST_PORT = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/;

/** A host as it appears before `:port`: IPv6 literals in brackets. */
export function bracketHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function formatHostPort(host: string, port: number): string {
  return `${bracketHost(host)}:${port}`;
}

/** `HOST:PORT` or `[IPv6]:PORT` (port 0–65535), else null. */
export function parseHostPort(text: string): HostPort | null {
  const m = HOST_PORT.exec(text.trim());
  if (!m || Number(m[3]) > 65535) return null;
  return { host: m[1] ?? m[2], port: Number(m[3]) };
}
