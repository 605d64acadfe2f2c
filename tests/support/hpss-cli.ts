/**
 * The built `hpss` command as a child process, for interop tests: wait (bounded) for
 * a line on stdout or stderr, then stop it by signal and wait for its exit.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';

export const HPSS_BIN = resolve(__dirname, '../../bin/hpss.js');

export interface HpssProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (or stderr); rejects on exit or after `ms`. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', ms?: number): Promise<RegExpExecArray>;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process ends by itself. */
  exited(): Promise<number | null>;
}

export function startHpss(args: string[], env: NodeJS.ProcessEnv = process.env): HpssProcess {
  if (!existsSync(resolve(__dirname, '../../out/main/hpss.js'))) throw new Error('hpss is not built: run `npm run build` (npm test does)');
  const child = spawn(process.execPath, [HPSS_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const text = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((done) =>
    child.on('exit', (code) => {
      exited = code;
      for (const w of waiters) w();
      done(code);
    }),
  );
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].on('data', (d: Buffer) => {
      text[stream] += d.toString();
      for (const w of waiters) w();
    });
  }
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    waitFor: (pattern, stream = 'stdout', ms = 15_000) =>
      new Promise((done, fail) => {
        const timer = setTimeout(() => finish(new Error(`no ${pattern} from hpss ${args.join(' ')} after ${ms} ms; stderr: ${text.stderr}`)), ms);
        const check = (): void => {
          const m = pattern.exec(text[stream]);
          if (m) finish(null, m);
          else if (exited !== undefined) finish(new Error(`hpss ${args.join(' ')} exited with ${exited}; stderr: ${text.stderr}`));
        };
        const finish = (err: Error | null, m?: RegExpExecArray): void => {
          clearTimeout(timer);
          waiters.delete(check);
          if (m) done(m);
          else fail(err);
        };
        waiters.add(check);
        check();
      }),
    exited: () => exit,
    stop: (signal = 'SIGTERM') => {
      if (exited === undefined) child.kill(signal);
      return exit;
    },
  };
}
