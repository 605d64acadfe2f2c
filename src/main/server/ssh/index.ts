/**
 * `--ssh-listen HOST:PORT --authorized-keys FILE [--host-key FILE]`: the embedded SSH
 * server in front of a server's backend. Each `bzr serve --inet` session is served
 * by `servePipe` on its channel, with the server's own backend and policies.
 *
 * Paths: brz always asks for `--directory=/`; the session is served from the server's
 * directory instead, so `bzr+ssh://HOST:PORT/trunk` means DIR/trunk, as `bzr://` does.
 * Writes follow the server's `--allow-writes`, not the client's (brz always sends it).
 */
import type { SshLimits } from '../../../shared/ssh-limits';
import type { EventBus, IdSource } from '../../bus/event-bus';
import type { Backend } from '../backends/backend';
import { parseListen } from '../listen-address';
import { readAuthorizedKeys, type AuthorizedKeys } from './authorized-keys';
import { execSessionStream } from './exec-stream';
import { loadHostKey, type HostKey } from './host-key';
import type { PolicySource } from '../serve-connection';
import { servePipe } from './serve-pipe';
import { startSshServer, type SshListener } from './ssh-server';

export interface SshFrontArgs {
  /** HOST:PORT; port 0 picks a free one. */
  listen: string;
  authorizedKeys: string;
  hostKey?: string;
  /** Admission limits (DEFAULT_SSH_LIMITS for those not given). */
  limits?: Partial<SshLimits>;
}

export interface SshFrontContext {
  ownerId: string;
  backend: Backend;
  policy: PolicySource;
  bus: EventBus;
  ids: IdSource;
}

/** Everything read from disk and checked before anything listens. */
export interface PreparedSshFront {
  host: string;
  port: number;
  authorizedKeys: AuthorizedKeys;
  hostKey: HostKey;
  /** Lines of authorized_keys that were not used, for the operator. */
  warnings: string[];
  limits?: Partial<SshLimits>;
}

export interface SshFront {
  listener: SshListener;
  hostKey: HostKey;
  warnings: string[];
}

/** Parses the address and reads the keys; throws ListenAddressError or SshSetupError. */
export function prepareSshFront(args: SshFrontArgs): PreparedSshFront {
  const { host, port } = parseListen(args.listen);
  const authorizedKeys = readAuthorizedKeys(args.authorizedKeys);
  const hostKey = loadHostKey(args.hostKey);
  const warnings = authorizedKeys.skipped.map((s) => `${args.authorizedKeys}:${s.line}: skipped: ${s.reason}`);
  return { host, port, authorizedKeys, hostKey, warnings, limits: args.limits };
}

export async function startSshFront(args: SshFrontArgs | PreparedSshFront, ctx: SshFrontContext): Promise<SshFront> {
  const { host, port, authorizedKeys, hostKey, warnings, limits } = 'listen' in args ? prepareSshFront(args) : args;
  const listener = await startSshServer({
    host,
    port,
    hostKey,
    authorizedKeys,
    bus: ctx.bus,
    ownerId: ctx.ownerId,
    limits,
    onSession: async ({ channel, peer }) => {
      const stream = execSessionStream(channel);
      await servePipe(stream, stream, peer, ctx);
      return 0;
    },
  });
  return { listener, hostKey, warnings };
}

/** What `hpss serve` prints about the host key, so users can check or pin it. */
export function describeHostKey(hostKey: HostKey): string {
  return `ssh host key ${hostKey.key.type} ${hostKey.fingerprint} (${hostKey.created ? 'new, kept in ' : ''}${hostKey.file})`;
}
