/**
 * Branches and repositories laid out by real brz, for backends to serve: a standalone
 * branch with a merge (two-parent revisions), binary and non-ASCII files, a shared
 * repository with branches at two depths, a treeless branch, a lightweight checkout (a
 * branch reference), a stacked branch and a plain directory inside a tree.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { requireTool } from './test-hosts';

export function brzFixtureEnv(home: string): NodeJS.ProcessEnv {
  mkdirSync(home, { recursive: true });
  return { ...process.env, BRZ_HOME: home, BRZ_LOG: join(home, 'brz.log'), BRZ_EMAIL: 'Fixture <fixture@example.invalid>' };
}

export interface BrzFixtures {
  /** The test file's scratch folder (removed after its tests). */
  readonly scratch: string;
  /** The fixtures as brz made them: served read-only as they are, or copied (`copy`) to be changed. */
  readonly fixtures: string;
  /** brz's environment for the fixtures (its own home and identity). */
  readonly env: NodeJS.ProcessEnv;
  /** A fresh copy of the fixtures under `name`, for one server to change. */
  copy(name: string): string;
}

/**
 * The fixtures made once for a test file (`also` adds to them, with brz's environment) in a
 * scratch folder of its own, and copies of them per server, so two servers can be compared
 * on the same starting tree.
 */
export function useBrzFixtures(prefix: string, also?: (fixtures: string, env: NodeJS.ProcessEnv) => void): BrzFixtures {
  let scratch = '';
  let env: NodeJS.ProcessEnv = {};
  beforeAll(() => {
    requireTool('brz', 'brz');
    scratch = mkdtempSync(join(tmpdir(), prefix));
    env = brzFixtureEnv(join(scratch, 'home'));
    makeBrzFixtures(join(scratch, 'fixtures'), env);
    also?.(join(scratch, 'fixtures'), env);
  }, 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  return {
    get scratch() {
      return scratch;
    },
    get fixtures() {
      return join(scratch, 'fixtures');
    },
    get env() {
      return env;
    },
    copy(name) {
      const dir = join(scratch, name);
      cpSync(join(scratch, 'fixtures'), dir, { recursive: true, verbatimSymlinks: true });
      return dir;
    },
  };
}

export function makeBrzFixtures(root: string, env: NodeJS.ProcessEnv): void {
  const brz = (...args: string[]) => execFileSync('brz', args, { cwd: root, env, stdio: 'pipe' });
  mkdirSync(root, { recursive: true });
  brz('init', '-q', 'standalone');
  writeFileSync(join(root, 'standalone/a.txt'), 'line 1\n');
  writeFileSync(join(root, 'standalone/bin.dat'), Buffer.from([0, 1, 2, 255, 128, 10]));
  writeFileSync(join(root, 'standalone/naïve é.txt'), 'unicode name\n');
  mkdirSync(join(root, 'standalone/sub'));
  brz('add', '-q', 'standalone');
  brz('commit', '-q', '-m', 'one', 'standalone');
  brz('branch', '-q', 'standalone', 'feature');
  writeFileSync(join(root, 'feature/f.txt'), 'feature\n');
  brz('add', '-q', 'feature/f.txt');
  brz('commit', '-q', '-m', 'feature work', 'feature');
  writeFileSync(join(root, 'standalone/a.txt'), 'line 1\nline 2\n');
  brz('commit', '-q', '-m', 'two', 'standalone');
  execFileSync('brz', ['merge', '-q', '../feature'], { cwd: join(root, 'standalone'), env, stdio: 'pipe' });
  brz('commit', '-q', '-m', 'merge feature', 'standalone');
  brz('tag', '-q', '-d', 'standalone', 'v1');
  brz('init-shared-repo', '-q', 'shared');
  brz('branch', '-q', 'standalone', 'shared/trunk');
  brz('init', '-q', 'shared/nested/deeper/b', '--create-prefix');
  brz('branch', '-q', '--no-tree', 'standalone', 'treeless');
  brz('checkout', '-q', '--lightweight', 'standalone', 'checkout-light');
  brz('branch', '-q', '--stacked', 'standalone', 'stacked');
}

export interface RunningBrzServe {
  url: string;
  stop(): void;
}

/** `brz serve` over TCP on a loopback port of its choosing, for comparing with our servers. */
export async function startBrzServe(dir: string, env: NodeJS.ProcessEnv, allowWrites: boolean): Promise<RunningBrzServe> {
  const child = spawn('brz', ['serve', '--listen=127.0.0.1', '--port=0', `--directory=${dir}`, ...(allowWrites ? ['--allow-writes'] : [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`brz serve did not start: ${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on port: (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`brz serve exited: ${out}`)));
  });
  return { url: `bzr://127.0.0.1:${port}/`, stop: () => child.kill() };
}
