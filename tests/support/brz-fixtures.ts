/**
 * Branches and repositories laid out by real brz, for backends to serve: a standalone
 * branch with a merge (two-parent revisions), binary and non-ASCII files, a shared
 * repository with branches at two depths, a treeless branch, a lightweight checkout (a
 * branch reference), a stacked branch and a plain directory inside a tree.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function brzFixtureEnv(home: string): NodeJS.ProcessEnv {
  mkdirSync(home, { recursive: true });
  return { ...process.env, BRZ_HOME: home, BRZ_LOG: join(home, 'brz.log'), BRZ_EMAIL: 'Fixture <fixture@example.invalid>' };
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
