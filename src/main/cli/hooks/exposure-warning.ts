/**
 * A loud warning when `hpss serve` or `hpss proxy` listens (TCP or SSH) on an address
 * that is not loopback: anyone who can reach the machine can then use the server, and
 * the HPSS protocol has no authentication of its own on bzr://.
 */
import { isIP } from 'node:net';
import { DEFAULT_LISTEN } from '../../server';
import { parseListen } from '../../server/listen-address';
import type { OwnerHook } from '../owner-command';

/** 127.0.0.0/8, ::1 (and its IPv4-mapped form) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The warning lines for the listen addresses given, none when all are loopback. */
export function exposureWarnings(command: string, addresses: { option: string; listen: string }[], allowWrites: boolean): string[] {
  const lines: string[] = [];
  for (const { option, listen } of addresses) {
    let host: string;
    try {
      host = parseListen(listen).host;
    } catch {
      continue; // the command itself reports a malformed address
    }
    if (isLoopbackHost(host)) continue;
    const what = command === 'proxy' ? 'relay to its upstream' : allowWrites ? 'read AND WRITE the served directory' : 'read the served directory';
    lines.push(
      `hpss ${command}: WARNING: ${option} ${listen} is not a loopback address: anyone who can reach this machine on that port can ${what}.`,
      `hpss ${command}: WARNING: bzr:// has no authentication; listen on 127.0.0.1 (the default) unless you mean it.`,
    );
  }
  return lines;
}

export const exposureWarningHook: OwnerHook = {
  options: {},
  async beforeStart({ command, values }) {
    const addresses = [{ option: '--listen', listen: typeof values.listen === 'string' ? values.listen : DEFAULT_LISTEN }];
    if (typeof values['ssh-listen'] === 'string') addresses.push({ option: '--ssh-listen', listen: values['ssh-listen'] });
    for (const line of exposureWarnings(command, addresses, values['allow-writes'] === true)) process.stderr.write(`${line}\n`);
    return null;
  },
};
