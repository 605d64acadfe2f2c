/**
 * The `brz serve --inet` processes of one Breezy backend: each serves one client connection
 * for its life. Bounded: at most `max` run at once (a connection waiting for one queues, at
 * most `maxQueued` of them; past that it is refused), so a burst of connections cannot fork
 * hundreds of Pythons; one is kept started ahead, as Python's start-up was most of a short
 * operation (`brz log` 0.77 s → 0.25 s).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { availableParallelism } from 'node:os';

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

/**
 * One `brz serve --inet` process. Started ahead of need (Python's start-up is most of a
 * short brz operation's time), so what happens before a connection takes it is kept.
 */
export class ServeProcess {
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

/** Default cap on processes at once: twice the cores (each mostly waits on its client). */
export const DEFAULT_MAX_PROCESSES = Math.max(2, 2 * availableParallelism());
/** Default cap on connections waiting for a process. */
export const DEFAULT_MAX_QUEUED = 256;
/** How long after the spare is taken the next one is started (not competing with its start). */
const SPARE_DELAY_MS = 300;

export class ServerBusyError extends Error {
  override readonly name = 'ServerBusyError';
}

export interface ProcessPoolOptions {
  brz: string;
  args: string[];
  max?: number;
  maxQueued?: number;
  /** Keep one process started ahead (listeners; not one-session use). */
  warm?: boolean;
}

export class ServeProcessPool {
  readonly max: number;
  readonly maxQueued: number;
  private running = 0;
  private spare: ServeProcess | null = null;
  private spareTimer: NodeJS.Timeout | null = null;
  private readonly queue: { resolve: (p: ServeProcess) => void; reject: (e: Error) => void }[] = [];
  private stopped = false;

  constructor(private readonly opts: ProcessPoolOptions) {
    this.max = opts.max ?? DEFAULT_MAX_PROCESSES;
    this.maxQueued = opts.maxQueued ?? DEFAULT_MAX_QUEUED;
    if (opts.warm) this.spare = new ServeProcess(opts.brz, opts.args);
  }

  /** Processes running for connections now, and connections waiting for one. */
  get load(): { running: number; queued: number } {
    return { running: this.running, queued: this.queue.length };
  }

  /**
   * A process for one connection: at once while under the cap, else when one ends. A
   * connection that goes away while it waits (`gone`) leaves the queue, so no process is
   * started for it.
   */
  acquire(gone?: AbortSignal): Promise<ServeProcess> {
    if (this.stopped) return Promise.reject(new ServerBusyError('the server is stopping'));
    if (this.running < this.max) return Promise.resolve(this.take());
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new ServerBusyError(`server busy: ${this.running} brz processes running and ${this.queue.length} connections waiting; try again later`));
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (p: ServeProcess) => {
          gone?.removeEventListener('abort', leave);
          resolve(p);
        },
        reject,
      };
      const leave = (): void => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        reject(new ServerBusyError('the connection went away while it waited for a brz process'));
      };
      gone?.addEventListener('abort', leave, { once: true });
      this.queue.push(waiter);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.spareTimer) clearTimeout(this.spareTimer);
    this.spare?.end();
    this.spare = null;
    for (const waiter of this.queue.splice(0)) waiter.reject(new ServerBusyError('the server is stopping'));
  }

  /** The spare when it is still good, else a new one; it counts until it exits. */
  private take(): ServeProcess {
    const { brz, args, warm } = this.opts;
    let proc = this.spare;
    this.spare = null;
    if (!proc || !proc.usable) {
      proc?.end();
      proc = new ServeProcess(brz, args);
    }
    this.running += 1;
    proc.child.once('close', () => this.released());
    if (warm && !this.stopped && !this.spareTimer) {
      this.spareTimer = setTimeout(() => {
        this.spareTimer = null;
        if (!this.stopped && !this.spare) this.spare = new ServeProcess(brz, args);
      }, SPARE_DELAY_MS);
      this.spareTimer.unref();
    }
    return proc;
  }

  private released(): void {
    this.running -= 1;
    const next = this.queue.shift();
    if (next && !this.stopped) next.resolve(this.take());
  }
}
