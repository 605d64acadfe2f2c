/**
 * The `breezy` backend: each client connection gets a `brz serve --inet` subprocess of
 * its own, and the connection's requests are relayed to its stdin byte for byte. When
 * `warm`, one process is kept started ahead, so a connection does not wait for Python.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { MediumKind } from '../../../shared/events';
import type { ConnectionContext, Backend } from './backend';
import { StreamUpstream } from './stream-upstream';
import { unknownMethodAnswer, type LocalAnswer } from '../policies/answers';
import type { RequestHead } from '../policies/decide';

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

export class BreezyBackend implements Backend {
  readonly description: string;
  readonly upstreamMedium: { kind: MediumKind; peer: string };
  private readonly brz: string;
  private readonly args: string[];
  private spare: ServeProcess | null = null;
  private spareTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly warm: boolean;

  constructor(opts: BreezyBackendOptions) {
    this.brz = opts.brz ?? process.env.BRZ_PATH ?? 'brz';
    this.args = breezyServeArgs(opts.dir, opts.allowWrites);
    this.upstreamMedium = { kind: 'pipes-client', peer: `${this.brz} serve --inet --directory=${opts.dir}` };
    this.description = `${this.brz} serve --inet --directory=${opts.dir} (${opts.allowWrites ? 'read-write' : 'read-only'})`;
    this.warm = opts.warm ?? false;
    if (this.warm) this.spare = new ServeProcess(this.brz, this.args);
  }

  connect(ctx: ConnectionContext): StreamUpstream {
    const proc = this.takeProcess();
    const upstream = new StreamUpstream({ input: proc.child.stdout, output: proc.child.stdin, teardown: () => proc.end() });
    proc.watch(
      (err) => {
        ctx.bus.emit({ type: 'error', mediumId: ctx.mediumId, kind: 'remote', message: `cannot run ${this.brz}: ${err.message}`, fatal: true });
        upstream.closed(`cannot run ${this.brz}: ${err.message}`);
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

  answer(head: RequestHead): LocalAnswer {
    return unknownMethodAnswer(head);
  }

  close(): void {
    this.closed = true;
    if (this.spareTimer) clearTimeout(this.spareTimer);
    this.spare?.end();
    this.spare = null;
  }

  /** The spare process when it is still good, else a new one; a new spare follows shortly. */
  private takeProcess(): ServeProcess {
    let proc = this.spare;
    this.spare = null;
    if (!proc || !proc.usable) {
      proc?.end();
      proc = new ServeProcess(this.brz, this.args);
    }
    if (this.warm && !this.closed && !this.spareTimer) {
      this.spareTimer = setTimeout(() => {
        this.spareTimer = null;
        if (!this.closed && !this.spare) this.spare = new ServeProcess(this.brz, this.args);
      }, SPARE_DELAY_MS);
      this.spareTimer.unref();
    }
    return proc;
  }
}
