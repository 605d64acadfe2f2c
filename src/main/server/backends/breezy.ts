/**
 * The `breezy` backend: a relay whose upstream for each client connection is a `brz serve
 * --inet` process of its own, from a bounded pool (`breezy-processes.ts`), taken at the
 * connection's first call that needs Breezy. `hello` and `Transport.is_readonly` are
 * answered here, as Breezy's server answers them, so a connection that only says hello (a
 * probe, a flood) costs no Python process.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Answer, ServerCall } from '../core/server-call';
import type { Backend, BackendConnection, ConnectionContext } from './backend';
import { breezyServeArgs, ServeProcessPool, type ServeProcess } from './breezy-processes';
import type { ServerBackendEntry } from './registry';
import { RelayBackend } from './relay';
import { StreamUpstream } from './stream-upstream';

export interface BreezyBackendOptions {
  dir: string;
  allowWrites: boolean;
  /** The brz executable; BRZ_PATH or `brz` from the PATH by default. */
  brz?: string;
  /** Keep one process started ahead for the next connection (for listeners; not for one-session use). */
  warm?: boolean;
  /** Processes at once, and connections that may wait for one (breezy-processes.ts defaults). */
  maxProcesses?: number;
  maxQueued?: number;
}

export class BreezyBackend implements Backend {
  readonly description: string;
  private readonly relay: RelayBackend;
  private readonly pool: ServeProcessPool;
  /** Breezy's own answers to the verbs that need no repository (request.py: HelloRequest, IsReadonlyRequest). */
  private readonly local: ReadonlyMap<string, Answer>;

  constructor(opts: BreezyBackendOptions) {
    const brz = opts.brz ?? process.env.BRZ_PATH ?? 'brz';
    this.pool = new ServeProcessPool({ brz, args: breezyServeArgs(opts.dir, opts.allowWrites), warm: opts.warm, max: opts.maxProcesses, maxQueued: opts.maxQueued });
    this.description = `${brz} serve --inet --directory=${opts.dir} (${opts.allowWrites ? 'read-write' : 'read-only'})`;
    this.relay = new RelayBackend(this.description, { kind: 'pipes-client', peer: `${brz} serve --inet --directory=${opts.dir}` }, (ctx) => this.upstreamFor(ctx, brz));
    this.local = new Map<string, Answer>([
      ['hello', { status: 'S', args: ['ok', '2'] }],
      ['Transport.is_readonly', { status: 'S', args: [opts.allowWrites ? 'no' : 'yes'] }],
    ]);
  }

  open(ctx: ConnectionContext): BackendConnection {
    const relay = this.relay.open(ctx);
    const local = this.local;
    return {
      input: relay.input,
      handle: (call: ServerCall) => local.get(call.verb) ?? relay.handle(call),
      close: () => relay.close(),
    };
  }

  close(): void {
    this.pool.stop();
  }

  private upstreamFor(ctx: ConnectionContext, brz: string): StreamUpstream {
    const upstream = new StreamUpstream();
    this.pool.acquire(upstream.gone).then(
      (proc) => this.attach(ctx, brz, proc, upstream),
      (err: Error) => {
        if (upstream.gone.aborted) return; // the connection went first: nothing to report to it
        ctx.bus.emit({ type: 'error', mediumId: ctx.mediumId, kind: 'remote', message: err.message, fatal: true });
        upstream.closed(err.message);
      },
    );
    return upstream;
  }

  private attach(ctx: ConnectionContext, brz: string, proc: ServeProcess, upstream: StreamUpstream): void {
    proc.watch(
      (err) => {
        ctx.bus.emit({ type: 'error', mediumId: ctx.mediumId, kind: 'remote', message: `cannot run ${brz}: ${err.message}`, fatal: true });
        upstream.closed(`cannot run ${brz}: ${err.message}`);
      },
      (code, signal) => {
        const status = signal ? `signal ${signal}` : `exit status ${code}`;
        const stderr = proc.stderr.trim();
        const detail = stderr ? `; stderr: ${stderr.split('\n').slice(-3).join(' | ')}` : '';
        if (code !== 0 && !signal) {
          ctx.bus.emit({ type: 'error', mediumId: ctx.mediumId, kind: 'remote', message: `brz serve --inet ended with ${status}${detail}`, fatal: true });
        }
        upstream.closed(`brz serve --inet ended with ${status}`);
      },
    );
    if (proc.usable) upstream.attach({ input: proc.child.stdout, output: proc.child.stdin, teardown: () => proc.end(), ownerReportsClose: true });
    else proc.end();
  }
}

/** The brz the Breezy backend runs, when it is on the PATH (or BRZ_PATH names it). */
export function findBrz(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.BRZ_PATH) return existsSync(env.BRZ_PATH) ? env.BRZ_PATH : null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'brz');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return null;
}

export const breezyBackendEntry: ServerBackendEntry = {
  unavailableReason: () => (findBrz() ? null : 'brz is not on the PATH: install Breezy (apt-get install brz) or choose the built-in backend'),
  create: ({ dir, allowWrites, warm = true, maxProcesses }) => new BreezyBackend({ dir, allowWrites, warm, maxProcesses }),
};
