/**
 * Servers and proxies saved and restored with their ports. The forms start owners through
 * `startOwner`, which remembers each one's arguments with the port it actually got (a form's
 * port 0 becomes the port it was given), so "Save setup" can write the running ones to
 * localStorage and "Restore setup" start them again on the same addresses.
 */
import type { OwnerInfo, ProxyStartArgs, ServerStartArgs } from '../../../shared/api';
import { call } from '../api/api';

export type OwnerStart = { kind: 'server'; args: ServerStartArgs } | { kind: 'proxy'; args: ProxyStartArgs };

const STORAGE_KEY = 'hpss.setup';
const started = new Map<string, OwnerStart>();

/** `bzr://127.0.0.1:4155/` → `127.0.0.1:4155` for the listen address of the same scheme. */
function boundAddress(urls: readonly string[], scheme: string): string | null {
  const url = urls.find((u) => u.startsWith(`${scheme}://`));
  if (!url) return null;
  const { hostname, port } = new URL(url.replace(/^bzr(\+ssh)?:/, 'http:'));
  return port ? `${hostname}:${port}` : null;
}

/** The arguments that start this owner again on the addresses it has now. */
export function pinnedStart(start: OwnerStart, owner: OwnerInfo): OwnerStart {
  const listen = boundAddress(owner.urls, 'bzr') ?? start.args.listen;
  if (start.kind === 'proxy') return { kind: 'proxy', args: { ...start.args, listen } };
  const sshListen = start.args.ssh && (boundAddress(owner.urls, 'bzr+ssh') ?? start.args.ssh.listen);
  return { kind: 'server', args: { ...start.args, listen, ssh: start.args.ssh && sshListen ? { ...start.args.ssh, listen: sshListen } : start.args.ssh } };
}

/** What is remembered (and may be saved to localStorage) never holds a key passphrase. */
function withoutSecrets(start: OwnerStart): OwnerStart {
  if (start.kind !== 'proxy' || start.args.passphrase === undefined) return start;
  const { passphrase: _secret, ...args } = start.args;
  return { kind: 'proxy', args };
}

/** Starts a server or proxy as the forms do; null when it failed (`call` has shown why). */
export async function startOwner(start: OwnerStart): Promise<OwnerInfo | null> {
  const owner = start.kind === 'server' ? await call('Starting the server', 'ui:server:start', start.args) : await call('Starting the proxy', 'ui:proxy:start', start.args);
  if (owner) started.set(owner.ownerId, pinnedStart(withoutSecrets(start), owner));
  return owner;
}

/** Writes the running owners started here; answers how many. */
export function saveSetup(running: readonly OwnerInfo[]): number {
  const setup = running.flatMap((o) => started.get(o.ownerId) ?? []);
  localStorage.setItem(STORAGE_KEY, JSON.stringify(setup));
  return setup.length;
}

export function savedSetup(): OwnerStart[] {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as OwnerStart[]).filter((s) => (s?.kind === 'server' || s?.kind === 'proxy') && typeof s.args === 'object') : [];
  } catch {
    return [];
  }
}
