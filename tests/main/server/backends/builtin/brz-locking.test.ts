/**
 * Locks against real brz clients of the built-in backend's server: a push while
 * another client holds the branch lock fails with brz's clean lock-contention error and
 * changes nothing; of two pushes at once each wins or gets that error, the tip is a
 * winner's and `brz check` passes; a lock left by a client that went away is broken with
 * `brz break-lock bzr://…`, after which pushing works again.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import type { BackendConnection } from '../../../../../src/main/server/backends/backend';
import { requireTool } from '../../../../support/test-hosts';
import { brzFixtureEnv, makeBrzFixtures } from '../../../../support/brz-fixtures';
import { EventBus, IdSource } from '../../../../../src/main/bus/event-bus';
import { startServer, type RunningOwner } from '../../../../../src/main/server';
import { ask } from '../../../../support/server-call';

const run = promisify(execFile);
let scratch: string;
let served: string;
let work: string;
let env: NodeJS.ProcessEnv;
let server: RunningOwner;
/** Another client's connection: it takes locks and goes away without releasing them. */
let other: BackendConnection;

beforeAll(async () => {
  requireTool('brz', 'brz');
  scratch = mkdtempSync(join(tmpdir(), 'hpss-builtin-locking-'));
  served = join(scratch, 'served');
  work = join(scratch, 'work');
  env = brzFixtureEnv(join(scratch, 'home'));
  makeBrzFixtures(work, env);
  mkdirSync(served);
  server = await startServer({ backend: 'builtin', dir: served, listen: '127.0.0.1:0', allowWrites: true }, new EventBus(), new IdSource());
  // Another client of the same directory, driven call by call.
  other = new BuiltinBackend({ dir: served, allowWrites: true }).open();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function brz(args: string[], cwd = work): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('brz', args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function commit(branch: string, line: string): Promise<void> {
  writeFileSync(join(work, branch, 'a.txt'), `${line}\n`);
  expect((await brz(['commit', '-q', '-m', line, branch])).code).toBe(0);
}

const CONTENTION = /Could not acquire lock "\(remote lock\)"/;

test('a push while the branch is locked elsewhere fails cleanly and changes nothing', async () => {
  expect((await brz(['push', '-d', 'standalone', `${server.urls[0]}target`])).code).toBe(0);
  const tipBefore = (await brz(['revno', `${server.urls[0]}target`])).out;
  const held = await ask(other, 'Branch.lock_write', ['target', '', '']);
  expect(held.status).toBe('S');
  await commit('standalone', 'while locked');
  const refused = await brz(['push', '-d', 'standalone', `${server.urls[0]}target`]);
  expect(refused.code).toBe(3);
  expect(refused.out).toMatch(CONTENTION);
  expect(refused.out).not.toMatch(/Traceback/);
  expect((await brz(['revno', `${server.urls[0]}target`])).out).toBe(tipBefore);
  expect((await ask(other, 'Branch.unlock', ['target', held.args[1], ''])).status).toBe('S');
  expect((await brz(['push', '-d', 'standalone', `${server.urls[0]}target`])).code).toBe(0);
  expect((await brz(['check', join(served, 'target')])).code).toBe(0);
}, 180_000);

test('two pushes at once: each wins or gets the lock-contention error, the tip is a winner\'s, brz check passes', async () => {
  expect((await brz(['branch', '-q', 'standalone', 'rival'])).code).toBe(0);
  await commit('standalone', 'ours at once');
  await commit('rival', 'theirs at once');
  const [a, b] = await Promise.all([
    brz(['push', '--overwrite', '-d', 'standalone', `${server.urls[0]}target`]),
    brz(['push', '--overwrite', '-d', 'rival', `${server.urls[0]}target`]),
  ]);
  const results = [a, b];
  expect(results.filter((r) => r.code === 0).length).toBeGreaterThanOrEqual(1);
  for (const r of results.filter((x) => x.code !== 0)) expect(r.out).toMatch(CONTENTION);
  expect(existsSync(join(served, 'target/.bzr/branch/lock/held'))).toBe(false);
  const tip = (await brz(['revision-info', '-d', `${server.urls[0]}target`])).out;
  const winners = [];
  if (a.code === 0) winners.push((await brz(['revision-info', '-d', 'standalone'])).out);
  if (b.code === 0) winners.push((await brz(['revision-info', '-d', 'rival'])).out);
  expect(winners).toContain(tip);
  expect((await brz(['check', join(served, 'target')])).code).toBe(0);
}, 180_000);

test('brz break-lock bzr://… breaks a lock left by a client that went away', async () => {
  const held = await ask(other, 'Branch.lock_write', ['target', '', '']);
  expect(held.status).toBe('S');
  other.close();
  expect(existsSync(join(served, 'target/.bzr/branch/lock/held'))).toBe(true);
  await commit('standalone', 'after break-lock');
  expect((await brz(['push', '--overwrite', '-d', 'standalone', `${server.urls[0]}target`])).out).toMatch(CONTENTION);
  const broken = await brz(['break-lock', '--force', `${server.urls[0]}target`]);
  expect(broken.code).toBe(0);
  expect(existsSync(join(served, 'target/.bzr/branch/lock/held'))).toBe(false);
  expect((await brz(['push', '--overwrite', '-d', 'standalone', `${server.urls[0]}target`])).code).toBe(0);
  expect((await brz(['check', join(served, 'target')])).code).toBe(0);
}, 180_000);
