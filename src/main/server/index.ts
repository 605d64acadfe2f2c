/**
 * Servers and proxies the engine runs (the UI's forms and the CLI's `serve`/`proxy`
 * both start them here). Each is a "running owner": its mediums carry its `ownerId`,
 * its policies change while it runs, and `stop()` ends it gracefully.
 */
import type { PolicySettings } from '../../shared/api';
import type { ServerBackendId } from '../../shared/server-backends';
import type { EventBus, IdSource } from '../bus/event-bus';
import type { Backend } from './backends/backend';
import { createServerBackend, serverBackend } from './backends/registry';
import type { UpstreamConnector } from './backends/relay';
import { parseUpstreamUrl, tcpUpstream, upstreamBackend } from './backends/upstream';
import { sshUpstreamConnector, type SshUpstreamOptions } from './backends/ssh-upstream';
import { DEFAULT_LISTEN, parseListen } from './listen-address';
import { PolicyStore } from './policies/settings';
import { TcpListener } from './tcp-listener';

export { DEFAULT_LISTEN } from './listen-address';

export interface RunningOwner {
  ownerId: string;
  kind: 'server' | 'proxy';
  urls: string[];
  description: string;
  /** What answers its calls, shared by all its fronts (TCP, SSH). */
  backend: Backend;
  policy(): PolicySettings;
  setPolicy(change: Partial<PolicySettings>): PolicySettings;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  backend: ServerBackendId;
  dir: string;
  /** HOST:PORT; default 127.0.0.1:4155; port 0 picks a free one. */
  listen?: string;
  allowWrites: boolean;
  policy?: Partial<PolicySettings>;
  /** Connections at once (tcp-listener.ts default); past it one is refused with the reason. */
  maxConnections?: number;
  /** Processes at once, for a backend that runs them (Breezy's default: twice the cores). */
  maxProcesses?: number;
}

export interface StartProxyOptions extends SshUpstreamOptions {
  upstream: string;
  listen?: string;
  policy?: Partial<PolicySettings>;
  maxConnections?: number;
}

export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}

async function run(kind: 'server' | 'proxy', listen: string, backend: Backend, policy: PolicyStore, bus: EventBus, ids: IdSource, maxConnections?: number): Promise<RunningOwner> {
  const ownerId = ids.take(kind);
  let listener: TcpListener;
  let url: string;
  try {
    listener = new TcpListener({ ownerId, address: parseListen(listen), backend, policy, bus, ids, maxConnections });
    url = await listener.listen();
  } catch (err) {
    // The backend may hold a process started ahead: it must not outlive a failed start.
    backend.close();
    throw err;
  }
  let stopping: Promise<void> | null = null;
  return {
    ownerId,
    kind,
    urls: [url],
    description: backend.description,
    backend,
    policy: () => policy.get(),
    setPolicy: (change) => policy.set(change),
    stop: () => (stopping ??= listener.stop()),
  };
}

/** Serves `dir` over bzr:// on the backend chosen (registry.ts). */
export async function startServer(opts: StartServerOptions, bus: EventBus, ids: IdSource): Promise<RunningOwner> {
  const entry = serverBackend(opts.backend);
  const unavailable = entry.unavailableReason();
  if (unavailable !== null) throw new BackendUnavailableError(`the ${opts.backend} backend cannot run here: ${unavailable}`);
  const policy = new PolicyStore(opts.policy);
  const backend = createServerBackend(opts.backend, { dir: opts.dir, allowWrites: opts.allowWrites, warm: true, maxProcesses: opts.maxProcesses });
  return run('server', opts.listen ?? DEFAULT_LISTEN, backend, policy, bus, ids, opts.maxConnections);
}

/** Relays every connection to the upstream URL, one upstream connection per client. */
export async function startProxy(opts: StartProxyOptions, bus: EventBus, ids: IdSource): Promise<RunningOwner> {
  const url = parseUpstreamUrl(opts.upstream);
  const policy = new PolicyStore(opts.policy);
  const connector: UpstreamConnector =
    url.scheme === 'bzr' ? (ctx) => tcpUpstream(url.host, url.port, ctx) : sshUpstreamConnector(url, opts);
  return run('proxy', opts.listen ?? DEFAULT_LISTEN, upstreamBackend(url, connector), policy, bus, ids, opts.maxConnections);
}
