/**
 * A client medium over a local subprocess speaking HPSS on stdin/stdout — by default
 * `brz serve --inet --directory=DIR` (Breezy's SmartSimplePipesClientMedium, with the process
 * it assumes already started). stderr is kept to explain a server that does not answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { HpssError } from '../../shared/protocol/errors';
import { ClientMedium, type ClientMediumOptions, type OpenedStreams } from './client-medium';
import { StderrTail, describeExit } from './client-stderr-tail';

export interface PipesClientMediumOptions extends ClientMediumOptions {
  /** The directory the server serves; used by the default command. */
  directory?: string;
  allowWrites?: boolean;
  /** The whole command; default `brz serve --inet --directory=DIRECTORY [--allow-writes]`. */
  command?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** How long a server gets to exit after its stdin closes before it is killed. */
const EXIT_GRACE_MS = 2_000;

export function brzServeInetCommand(directory: string, allowWrites: boolean): string[] {
  return ['brz', 'serve', '--inet', `--directory=${directory}`, ...(allowWrites ? ['--allow-writes'] : [])];
}

export class PipesClientMedium extends ClientMedium {
  readonly kind = 'pipes-client' as const;
  readonly command: readonly string[];
  private readonly env: NodeJS.ProcessEnv | undefined;

  constructor(opts: PipesClientMediumOptions) {
    super(opts);
    this.command = opts.command ?? brzServeInetCommand(opts.directory ?? '/', opts.allowWrites ?? false);
    this.env = opts.env;
  }

  protected async open(): Promise<OpenedStreams> {
    const [file, ...args] = this.command;
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: this.env });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(new HpssError('transport', 'spawn-failed', `cannot start ${this.command.join(' ')}: ${err.message}`)),
      );
    });
    const stderr = new StderrTail();
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stderr!.on('data', (chunk: Buffer) => stderr.add(chunk));
    child.on('error', () => undefined);
    return {
      input: child.stdout!,
      output: child.stdin!,
      peer: `pid ${child.pid}: ${this.command.join(' ')}`,
      close: () => stopChild(child),
      explainEnd: () => describeExit(child.exitCode, child.signalCode, stderr.text()),
      settled: () => exited,
    };
  }

  describe(): string {
    return `PipesClientMedium(${this.command.join(' ')})`;
  }
}

/** Closes stdin (a `serve --inet` then exits on its own) and kills the process if it lingers. */
function stopChild(child: ChildProcess): void {
  child.stdin?.end();
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}
