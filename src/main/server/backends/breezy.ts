/**
 * The `breezy` backend: each client connection gets a `brz serve --inet` subprocess of
 * its own, and the connection's requests are relayed to its stdin byte for byte. When
 * `warm`, one process is kept started ahead, so a connection does not wait for Python.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Backend, BackendConnection, ConnectionContext } from './backend';
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
}

/** Our medium enforces the idle timeout; the subprocess's own must never fire first. */
const SUBPROCESS_CLIENT_TIMEOUT_SEC = 365 * 24 * 3600;
/** How long a subprocess may take to exit after its stdin closes before it is killed. */
const EXIT_GRACE_MS = 2000;
const STDERR_KEEP_BYTES = 4096;

export function breezyServeArgs(dir: string, allowWrites: boolean): string[] {
  const args = ['serve', '--inet', `--directory=${dir}`, `--client-timeout=${SUBPROCESS_CLIENT_TIMEOUT_SEC}`];
  if (allowWrites) args.push('--allow-writes');
  return args;
}

/** How long after a connection takes the spare process the next one is started (not competing with its start). */
const SPARE_DELAY_MS = 300;

/**
 * One `brz serve --inet` process. Started ahead of need (Python's start-up is most of a
 * short brz operation's time), so what happens before a connection takes it is kept.
 */
class ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stderr = '';
  failure: Error | null = null;
  exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private onFailure: ((err: Error) => void) | null = null;
  private onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | null = null;

  constructor(brz: string, args: string[]) {
    this.child = spawn(brz, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_KEEP_BYTES);
    });
    this.child.on('error', (err) => {
      this.failure = err;
      this.onFailure?.(err);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      this.onExit?.(code, signal);
    });
  }

  get usable(): boolean {
    return this.failure === null && this.exited === null;
  }

  /** Calls back at once for what already happened. */
  watch(onFailure: (err: Error) => void, onExit: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.onFailure = onFailure;
    this.onExit = onExit;
    if (this.failure) onFailure(this.failure);
    if (this.exited) onExit(this.exited.code, this.exited.signal);
  }

  /** stdin closed: `serve --inet` exits on its own; killed if it lingers. */
  end(): void {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_GRACE_MS);
    timer.unref();
    this.child.once('exit', () => clearTimeout(timer));
  }
}

/**
 * The Breezy backend: a relay whose upstream for each client connection is a `brz serve
 * --inet` process of its own, taken at the connection's first call (a spare is kept
 * started ahead when `warm`).
 */
export class BreezyBackend implements Backend {
  readonly description: string;
  private readonly relay: RelayBackend;
  private spare: ServeProcess | null = null;
  private spareTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(opts: BreezyBackendOptions) {
    const brz = opts.brz ?? process.env.BRZ_PATH ?? 'brz';
    const args = breezyServeArgs(opts.dir, opts.allowWrites);
    this.description = `${brz} serve --inet --directory=${opts.dir} (${opts.allowWrites ? 'read-write' : 'read-only'})`;
    this.relay = new RelayBackend(this.description, { kind: 'pipes-client', peer: `${brz} serve --inet --directory=${opts.dir}` }, (ctx) =>
      this.upstreamFor(ctx, brz, args, opts.warm ?? false),
    );
    if (opts.warm) this.spare = new ServeProcess(brz, args);
  }

  open(ctx: ConnectionContext): BackendConnection {
    return this.relay.open(ctx);
  }

  close(): void {
    this.stopped = true;
    if (this.spareTimer) clearTimeout(this.spareTimer);
    this.spare?.end();
    this.spare = null;
  }

  private upstreamFor(ctx: ConnectionContext, brz: string, args: string[], warm: boolean): StreamUpstream {
    const proc = this.takeProcess(brz, args, warm);
    const upstream = new StreamUpstream({ input: proc.child.stdout, output: proc.child.stdin, teardown: () => proc.end() });
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
    return upstream;
  }

  /** The spare process when it is still good, else a new one; a new spare follows shortly. */
  private takeProcess(brz: string, args: string[], warm: boolean): ServeProcess {
    let proc = this.spare;
    this.spare = null;
    if (!proc || !proc.usable) {
      proc?.end();
      proc = new ServeProcess(brz, args);
    }
    if (warm && !this.stopped && !this.spareTimer) {
      this.spareTimer = setTimeout(() => {
        this.spareTimer = null;
        if (!this.stopped && !this.spare) this.spare = new ServeProcess(brz, args);
      }, SPARE_DELAY_MS);
      this.spareTimer.unref();
    }
    return proc;
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
  create: ({ dir, allowWrites }) => new BreezyBackend({ dir, allowWrites, warm: true }),
};
