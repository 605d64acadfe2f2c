/**
 * `hpss serve --inet`: a stand-in for `bzr` on a server. sshd runs it (as
 * `BZR_REMOTE_PATH` or `bzr_remote_path` names it) with brz's fixed arguments
 * `serve --inet --directory=/ --allow-writes`; it speaks on stdin/stdout through a
 * PipeServerMedium and relays to Breezy (`brz serve --inet --directory=DIR`).
 *
 * Since brz's arguments cannot ask for a trace, every session is traced, one file per
 * session, to `--trace FILE` or else the default folder (HPSS_TRACE_DIR, or
 * $XDG_STATE_HOME/hpss-inspector/traces). stdout carries protocol bytes only:
 * everything else goes to stderr, which the client's ssh shows to its user.
 */
import { EventBus, HEADLESS_RING_EVENTS, IdSource } from '../../bus/event-bus';
import { TraceRecorder } from '../../trace/recorder';
import { defaultTraceDir, sessionTraceFile } from '../../trace/state-dir';
import { createServerBackend } from '../backends/registry';
import { formatHostPort } from '../../../shared/host-port';
import type { PolicySettings } from '../../../shared/policies';
import { PolicyStore } from '../policies/settings';
import { servePipe } from './serve-pipe';

export interface InetSessionOptions {
  directory: string;
  allowWrites: boolean;
  /** The session's policies (`--client-timeout` and the other policy flags). */
  policy?: Partial<PolicySettings>;
  /** A trace file; by default a new file in the default trace folder. */
  trace?: string;
  env?: NodeJS.ProcessEnv;
}

const OWNER_ID = 'inet';

export interface InetSessionResult {
  /** Why the medium closed. */
  reason: string;
  /** True when a fatal error ended it (e.g. brz could not run): exit non-zero, as bzr would. */
  failed: boolean;
}

/** Serves the session on this process's stdin/stdout; resolves when it ends. */
export async function runInetSession(opts: InetSessionOptions): Promise<InetSessionResult> {
  const env = opts.env ?? process.env;
  const bus = new EventBus(HEADLESS_RING_EVENTS);
  const traceFile = opts.trace ?? sessionTraceFile(defaultTraceDir(env), 'inet');
  const peer = inetPeer(env);
  const recorder = TraceRecorder.open(traceFile, bus, {
    meta: { command: 'serve --inet', directory: opts.directory, allowWrites: opts.allowWrites, peer },
  });
  // stderr reaches the client's terminal through ssh: say why a session fails, as bzr would.
  let failed = false;
  const unsubscribe = bus.on((e) => {
    if (e.type !== 'error' || !e.fatal) return;
    failed = true;
    process.stderr.write(`hpss serve --inet: ${e.message}\n`);
  });
  const backend = createServerBackend('breezy', { dir: opts.directory, allowWrites: opts.allowWrites, warm: false });
  const policy = new PolicyStore(opts.policy);
  try {
    const reason = await servePipe(process.stdin, process.stdout, peer, { backend, policy, bus, ids: new IdSource(), ownerId: OWNER_ID });
    return { reason, failed };
  } finally {
    backend.close();
    unsubscribe();
    recorder.close();
  }
}

/** sshd tells us who is on the other end in SSH_CLIENT ("IP PORT LOCALPORT"). */
function inetPeer(env: NodeJS.ProcessEnv): string {
  const [ip, port] = (env.SSH_CLIENT ?? '').split(' ');
  if (!ip || !port) return 'stdin/stdout';
  const user = env.USER ?? env.LOGNAME;
  return `ssh:${user ? `${user}@` : ''}${formatHostPort(ip, Number(port))}`;
}
