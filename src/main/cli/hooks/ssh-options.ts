/**
 * `--ssh-listen HOST:PORT --authorized-keys FILE [--host-key FILE]` for `hpss serve`:
 * the embedded SSH server beside the TCP listener, serving the same directory with the
 * same kind of backend and the server's live policies; its admission limits
 * (`--ssh-login-timeout`, `--ssh-max-unauthenticated`, `--ssh-max-connections`) come
 * from src/shared/ssh-limits.ts.
 */
import { InvalidSshLimit, SSH_LIMIT_FLAGS, sshLimitsFromFlags, sshLimitsHelp, type SshLimits } from '../../../shared/ssh-limits';
import { describeHostKey, prepareSshFront, type PreparedSshFront } from '../../server/ssh';
import { attachSshFront } from '../../server/ssh/attach';
import { knownHostsLine } from '../../server/ssh/host-key';
import type { OwnerHook, OwnerHookContext } from '../owner-command';
import { errorText } from '../args';

const prepared = new WeakMap<OwnerHookContext, PreparedSshFront>();

export const sshHook: OwnerHook = {
  options: {
    'ssh-listen': { type: 'string' },
    'authorized-keys': { type: 'string' },
    'host-key': { type: 'string' },
    ...Object.fromEntries(SSH_LIMIT_FLAGS.map((f) => [f.flag, { type: 'string' as const }])),
  },
  help: (command) => (command === 'serve' ? sshLimitsHelp() : null),
  // Keys are read and checked before anything listens, so a bad file fails fast.
  async beforeStart(ctx) {
    const { values, command } = ctx;
    const listen = values['ssh-listen'];
    const authorizedKeys = values['authorized-keys'];
    const hostKey = values['host-key'];
    const limitFlags = new Map(SSH_LIMIT_FLAGS.flatMap((f) => (typeof values[f.flag] === 'string' ? [[f.flag, values[f.flag] as string]] : [])));
    if (listen === undefined && authorizedKeys === undefined && hostKey === undefined && limitFlags.size === 0) return null;
    const fail = (message: string, status: number): number => {
      process.stderr.write(`hpss ${command}: ${message}\n`);
      return status;
    };
    if (command !== 'serve') return fail('--ssh-listen is an option of hpss serve', 2);
    if (typeof listen !== 'string' || typeof authorizedKeys !== 'string') {
      const needs = limitFlags.size > 0 ? ` (and --${[...limitFlags.keys()][0]} needs them)` : '';
      return fail(`--ssh-listen HOST:PORT and --authorized-keys FILE go together${needs}`, 2);
    }
    let limits: Partial<SshLimits>;
    try {
      limits = sshLimitsFromFlags(limitFlags);
    } catch (err) {
      if (err instanceof InvalidSshLimit) return fail(err.message, 2);
      throw err;
    }
    try {
      prepared.set(ctx, prepareSshFront({ listen, authorizedKeys, hostKey: typeof hostKey === 'string' ? hostKey : undefined, limits }));
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
