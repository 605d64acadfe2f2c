/**
 * `--ssh-listen HOST:PORT --authorized-keys FILE [--host-key FILE]` for `hpss serve`:
 * the embedded SSH server beside the TCP listener, serving the same directory with the
 * same kind of backend and the server's live policies.
 */
import { describeHostKey, prepareSshFront, type PreparedSshFront } from '../../server/ssh';
import { attachSshFront } from '../../server/ssh/attach';
import { knownHostsLine } from '../../server/ssh/host-key';
import type { OwnerHook, OwnerHookContext } from '../owner-command';
import { errorText } from '../args';

const prepared = new WeakMap<OwnerHookContext, PreparedSshFront>();

export const sshHook: OwnerHook = {
  options: { 'ssh-listen': { type: 'string' }, 'authorized-keys': { type: 'string' }, 'host-key': { type: 'string' } },
  // Keys are read and checked before anything listens, so a bad file fails fast.
  async beforeStart(ctx) {
    const { values, command } = ctx;
    const listen = values['ssh-listen'];
    const authorizedKeys = values['authorized-keys'];
    const hostKey = values['host-key'];
    if (listen === undefined && authorizedKeys === undefined && hostKey === undefined) return null;
    const fail = (message: string, status: number): number => {
      process.stderr.write(`hpss ${command}: ${message}\n`);
      return status;
    };
    if (command !== 'serve') return fail('--ssh-listen is an option of hpss serve', 2);
    if (typeof listen !== 'string' || typeof authorizedKeys !== 'string') return fail('--ssh-listen HOST:PORT and --authorized-keys FILE go together', 2);
    try {
      prepared.set(ctx, prepareSshFront({ listen, authorizedKeys, hostKey: typeof hostKey === 'string' ? hostKey : undefined }));
    } catch (err) {
      return fail(errorText(err), 1);
    }
    return null;
  },
  async afterStart(ctx, owner) {
    const ready = prepared.get(ctx);
    if (!ready) return;
    const { front: started } = await attachSshFront(owner, ready, { bus: ctx.bus, ids: ctx.ids });
    for (const warning of started.warnings) process.stderr.write(`hpss serve: ${warning}\n`);
    process.stderr.write(`hpss serve: ${describeHostKey(started.hostKey)}\n`);
    // Ready to paste into a client's known_hosts (the UI's server card offers the same).
    process.stderr.write(`hpss serve: known_hosts line: ${knownHostsLine(started.listener.host, started.listener.port, started.hostKey.key)}\n`);
    process.stdout.write(`listening on ${started.listener.url}\n`);
    return () => started.listener.close();
  },
};
