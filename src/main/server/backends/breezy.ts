/**
 * The `breezy` backend: each client connection gets a `brz serve --inet` subprocess of
 * its own, and the connection's requests are relayed to its stdin byte for byte.
 */
import { spawn } from 'node:child_process';
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

export class BreezyBackend implements Backend {
  readonly description: string;
  readonly upstreamMedium: { kind: MediumKind; peer: string };
  private readonly brz: string;

  constructor(private readonly opts: BreezyBackendOptions) {
    this.brz = opts.brz ?? process.env.BRZ_PATH ?? 'brz';
    this.upstreamMedium = { kind: 'pipes-client', peer: `${this.brz} serve --inet --directory=${opts.dir}` };
    this.description = `${this.brz} serve --inet --directory=${opts.dir} (${opts.allowWrites ? 'read-write' : 'read-only'})`;
  }

  connect(ctx: ConnectionContext): StreamUpstream {
    const child = spawn(this.brz, breezyServeArgs(this.opts.dir, this.opts.allowWrites), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEEP_BYTES);
    });
    let killTimer: NodeJS.Timeout | null = null;
    const upstream = new StreamUpstream({
      input: child.stdout,
      output: child.stdin,
      teardown: () => {
        child.stdin.end();
        killTimer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
        killTimer.unref();
      },
    });
    child.on('error', (err) => {
      ctx.bus.emit({ type: 'error', mediumId: ctx.mediumId, kind: 'remote', message: `cannot run ${this.brz}: ${err.message}`, fatal: true });
      upstream.closed(`cannot run ${this.brz}: ${err.message}`);
    });
    child.on('exit', (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      const status = signal ? `signal ${signal}` : `exit status ${code}`;
      const detail = stderr.trim() ? `; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
      if (code !== 0 && !signal) {
        ctx.bus.emit({ type: 'error', mediumId: ctx.mediumId, kind: 'remote', message: `brz serve --inet ended with ${status}${detail}`, fatal: true });
      }
      upstream.closed(`brz serve --inet ended with ${status}`);
    });
    return upstream;
  }

  answer(head: RequestHead): LocalAnswer {
    return unknownMethodAnswer(head);
  }

  close(): void {}
}
