/**
 * Real brz against `hpss serve DIR --backend builtin --allow-writes` (the engine's server,
 * in process): push (new, then again), info, log, cat, tags, branch, checkout +
 * commit, pull, tag, init, uncommit, init-shared-repo and a push into it — binary content and non-ASCII names included. Each must succeed,
 * what brz reads back must equal the same read of the local source, and `brz check` must
 * pass on what was written.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { requireTool } from '../../../../support/test-hosts';
import { brzFixtureEnv, makeBrzFixtures, startBrzServe } from '../../../../support/brz-fixtures';
import { EventBus, IdSource } from '../../../../../src/main/bus/event-bus';
import { startServer, type RunningOwner } from '../../../../../src/main/server';

const run = promisify(execFile);
let scratch: string;
let served: string;
let work: string;
let env: NodeJS.ProcessEnv;
let server: RunningOwner;
/** Each call the server answered: verb, status and answer args. */
const answered: { verb: string; status: string | null; args: unknown[] }[] = [];

beforeAll(async () => {
  requireTool('brz', 'brz');
  scratch = mkdtempSync(join(tmpdir(), 'hpss-builtin-ops-'));
  served = join(scratch, 'served');
  work = join(scratch, 'work');
  env = brzFixtureEnv(join(scratch, 'home'));
  makeBrzFixtures(work, env);
  await run('mkdir', [served]);
  const bus = new EventBus();
  bus.on((e) => {
    if (e.type === 'call-finished') answered.push({ verb: e.verb, status: e.status, args: e.args });
  });
  server = await startServer({ backend: 'builtin', dir: served, listen: '127.0.0.1:0', allowWrites: true }, bus, new IdSource());
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function brz(args: string[], cwd = work): Promise<string> {
  try {
    const { stdout, stderr } = await run('brz', args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`brz ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`);
  }
}

const url = (path: string) => `${server.urls[0]}${path}`;
/** Log output without the timestamps' variability (none here: same revisions) and the branch nick. */
const logOf = (out: string) => out.replace(/^branch nick: .*$/gm, 'branch nick: N');

test('push, read back, branch, checkout + commit, pull, tag, init, uncommit; brz check passes', async () => {
  await brz(['push', '-d', 'standalone', url('pushed')]);
  expect(logOf(await brz(['log', url('pushed')]))).toBe(logOf(await brz(['log', 'standalone'])));
  writeFileSync(join(work, 'standalone/a.txt'), 'line 1\nline 2\nline 3\n');
  await brz(['commit', '-q', '-m', 'three', 'standalone']);
  await brz(['push', '-d', 'standalone', url('pushed')]);
  expect(logOf(await brz(['log', '-v', url('pushed')]))).toBe(logOf(await brz(['log', '-v', 'standalone'])));
  expect(await brz(['cat', '-d', url('pushed'), 'naïve é.txt'])).toBe('unicode name\n');
  const binary = await run('brz', ['cat', '-d', url('pushed'), 'bin.dat'], { cwd: work, env, encoding: 'buffer' });
  expect(Buffer.compare(binary.stdout, readFileSync(join(work, 'standalone/bin.dat')))).toBe(0);
  expect(await brz(['tags', '-d', url('pushed')])).toBe(await brz(['tags', '-d', 'standalone']));

  await brz(['branch', url('pushed'), 'copy']);
  expect(logOf(await brz(['log', 'copy']))).toBe(logOf(await brz(['log', 'standalone'])));

  await brz(['checkout', url('pushed'), 'co']);
  writeFileSync(join(work, 'co/new é.bin'), Buffer.from([0, 255, 10, 13, 1]));
  await brz(['add', '-q', 'co/new é.bin']);
  await brz(['commit', '-q', '-m', 'from a checkout', 'co']);
  await brz(['pull', '-d', 'copy', url('pushed')]);
  expect(logOf(await brz(['log', '-l1', 'copy']))).toMatch(/from a checkout/);
  expect(readFileSync(join(work, 'copy/new é.bin'))).toEqual(Buffer.from([0, 255, 10, 13, 1]));

  await brz(['tag', '-d', url('pushed'), 'from-checkout']);
  expect(await brz(['tags', '-d', url('pushed')])).toMatch(/^from-checkout +\d+\nv1 +\d+\n$/);
  expect(answered.filter((c) => c.verb === 'Branch.set_tags_bytes').map((c) => c.status)).toEqual(['S']);
  await brz(['init', url('fresh')]);
  expect(await brz(['revno', url('fresh')])).toBe('0\n');
  // brz init made the repository and the branch with the verbs, not over the VFS.
  for (const verb of ['BzrDir.create_repository', 'BzrDir.create_branch']) expect(answered.filter((c) => c.verb === verb).map((c) => c.status)).toEqual(['S']);

  await brz(['uncommit', '--force', 'co']);
  expect(logOf(await brz(['log', '-l1', url('pushed')]))).toMatch(/message:\n\s+three/);
  await brz(['check', join(served, 'pushed')]);

  // A shared repository made by init-shared-repo, and a branch pushed into it.
  await brz(['init-shared-repo', url('repo')]);
  await brz(['push', '-d', 'standalone', url('repo/trunk')]);
  expect(logOf(await brz(['log', url('repo/trunk')]))).toBe(logOf(await brz(['log', 'standalone'])));
  expect(await brz(['info', url('repo/trunk')])).toMatch(/^Repository branch \(format: /);
  await brz(['check', join(served, 'repo/trunk')]);
  // The new branches' control directories and repositories were made by the verb, not the VFS.
  const initialized = answered.filter((c) => c.verb === 'BzrDirFormat.initialize_ex_1.16');
  expect(initialized.map((c) => c.status)).toEqual(['S', 'S', 'S']);
  // push (new and again), the checkout's commit and uncommit moved the tip with the verb, not the VFS.
  const tipCalls = answered.filter((c) => c.verb.startsWith('Branch.set_last_revision'));
  expect(tipCalls.filter((c) => c.status === 'S' && c.verb === 'Branch.set_last_revision_info').length).toBeGreaterThanOrEqual(4);
  expect(tipCalls.filter((c) => c.status !== 'S')).toEqual([]);

  // The same reads through Breezy's own server over what we wrote.
  const breezy = await startBrzServe(served, env, false);
  try {
    for (const args of [['info', 'pushed'], ['log', '-v', 'pushed'], ['tags', '-d', 'pushed'], ['cat', '-d', 'pushed', 'naïve é.txt']]) {
      const at = (base: string) => args.map((a) => (a === 'pushed' ? `${base}pushed` : a));
      const ours = (await brz(at(server.urls[0]))).split(server.urls[0]).join('URL/');
      const theirs = (await brz(at(breezy.url))).split(breezy.url).join('URL/');
      expect({ args, out: ours }).toEqual({ args, out: theirs });
    }
  } finally {
    breezy.stop();
  }
}, 300_000);

test("read-only unless asked: brz push and brz init fail as against brz serve's read-only server, nothing written", async () => {
  const dir = join(scratch, 'read-only');
  await run('mkdir', [dir]);
  const ours = await startServer({ backend: 'builtin', dir, listen: '127.0.0.1:0', allowWrites: false }, new EventBus(), new IdSource());
  const breezy = await startBrzServe(dir, env, false);
  const failing = async (args: string[]) => {
    try {
      await run('brz', args, { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
      return 'succeeded';
    } catch (err) {
      const e = err as { code?: number; stderr?: string };
      return `${e.code} ${e.stderr ?? ''}`;
    }
  };
  try {
    for (const [cmd, path] of [['push', 'ro-pushed'], ['init', 'ro-init']] as const) {
      const args = (base: string) => (cmd === 'push' ? ['push', '-d', 'standalone', `${base}${path}`] : ['init', `${base}${path}`]);
      const mine = (await failing(args(ours.urls[0]))).split(ours.urls[0]).join('URL/');
      const theirs = (await failing(args(breezy.url))).split(breezy.url).join('URL/');
      expect({ cmd, out: mine }).toEqual({ cmd, out: theirs });
      expect(mine).toMatch(/^3 /);
    }
    expect(readdirSync(dir)).toEqual([]);
  } finally {
    breezy.stop();
    await ours.stop();
  }
}, 120_000);
