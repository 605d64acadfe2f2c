/**
 * Locks as Breezy takes them: the same lock/unlock sequence (contention, tokens, mismatches,
 * a shared repository's lock taken through a branch in it, references refused) against
 * `brz serve --allow-writes` and the built-in backend, each over its own copy of the same
 * fixtures, answer by answer (tokens compared by the order they were issued). Then Breezy
 * itself reads, validates and breaks a lock the built-in backend took.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { useBrzFixtures } from '../../../../support/brz-fixtures';
import { ask, BreezyPeer } from '../../../../support/server-call';
import { runSteps as run, type Step } from '../../../../support/token-steps';

const fx = useBrzFixtures('hpss-builtin-locks-');

const STEPS: Step[] = [
  ['Repository.lock_write', () => ['standalone', '']],
  ['Repository.lock_write', () => ['standalone', '']],
  ['Repository.lock_write', (t) => ['standalone', t[0]]],
  ['Repository.unlock', () => ['standalone', 'wrongtokenwrongtoken']],
  ['Repository.unlock', (t) => ['standalone', t[0]]],
  ['Repository.unlock', (t) => ['standalone', t[0]]],
  ['Branch.lock_write', () => ['standalone', '', '']],
  ['Branch.lock_write', () => ['standalone', '', '']],
  ['Repository.lock_write', () => ['standalone', '']],
  ['Branch.lock_write', (t) => ['standalone', t[1], t[2]]],
  ['Branch.unlock', (t) => ['standalone', 'wrongtokenwrongtoken', t[2]]],
  ['Branch.unlock', (t) => ['standalone', t[1], t[2]]],
  ['Branch.lock_write', () => ['standalone', '', '']],
  ['Branch.unlock', (t) => ['standalone', t[3], t[4]]],
  ['Branch.lock_write', () => ['shared/trunk', '', '']],
  ['Repository.lock_write', () => ['shared', '']],
  ['Branch.lock_write', () => ['shared/nested/deeper/b', '', '']],
  ['Branch.unlock', (t) => ['shared/trunk', t[5], t[6]]],
  ['Branch.lock_write', () => ['checkout-light', '', '']],
  ['Repository.lock_write', () => ['nope', '']],
  ['Branch.lock_write', () => ['treeless', '', '']],
  ['Repository.break_lock', () => ['treeless']],
  ['Branch.break_lock', () => ['treeless']],
  ['Branch.lock_write', () => ['treeless', '', '']],
];

test('lock and unlock, answer by answer with brz serve; the same locks are left on disk', async () => {
  const theirs = fx.copy('brz');
  const mine = fx.copy('ours');
  const brz = new BreezyPeer(theirs, true, fx.scratch);
  const ours = new BuiltinBackend({ dir: mine, allowWrites: true }).open();
  try {
    const expected = await run(STEPS, (verb, args) => brz.ask(verb, args));
    const actual = await run(STEPS, (verb, args) => ask(ours, verb, args));
    expect(actual).toEqual(expected);
  } finally {
    brz.close();
  }
  for (const lock of ['standalone/.bzr/branch/lock/held', 'standalone/.bzr/repository/lock/held', 'shared/.bzr/repository/lock/held', 'treeless/.bzr/branch/lock/held']) {
    expect({ lock, held: existsSync(join(mine, lock)) }).toEqual({ lock, held: existsSync(join(theirs, lock)) });
  }
}, 120_000);

test('read-only: lock_write is refused and nothing is written', async () => {
  const theirs = fx.copy('brz-ro');
  const mine = fx.copy('ours-ro');
  const brz = new BreezyPeer(theirs, false, fx.scratch);
  const ours = new BuiltinBackend({ dir: mine, allowWrites: false }).open();
  const steps: Step[] = [
    ['Repository.lock_write', () => ['standalone', '']],
    ['Branch.lock_write', () => ['standalone', '', '']],
    ['BzrDirFormat.initialize', () => ['standalone/sub']],
  ];
  try {
    const expected = await run(steps, (verb, args) => brz.ask(verb, args));
    const actual = await run(steps, (verb, args) => ask(ours, verb, args));
    expect(actual).toEqual(expected);
  } finally {
    brz.close();
  }
  expect(existsSync(join(mine, 'standalone/.bzr/repository/lock/held'))).toBe(false);
});

test("Breezy reads, validates and breaks a lock the built-in backend took", async () => {
  const mine = fx.copy('ours-breezy-reads');
  const ours = new BuiltinBackend({ dir: mine, allowWrites: true }).open();
  const locked = await ask(ours, 'Branch.lock_write', ['standalone', '', '']);
  expect(locked.status).toBe('S');
  const [, branchToken, repoToken] = locked.args;
  // A 2a repository takes no token lock (as in Breezy); the branch's is a real LockDir.
  expect(repoToken).toBe('');
  const info = readFileSync(join(mine, 'standalone/.bzr/branch/lock/held/info'), 'utf8');
  expect(info).toMatch(/^hostname: .+\nnonce: [0-9a-z]{20}\npid: \d+\nstart_time: \d+\nuser: .+\n$/);
  const peek = `
import sys, breezy
with breezy.initialize():
    from breezy.lockdir import LockDir
    from breezy.transport import get_transport
    lock = LockDir(get_transport(sys.argv[1]), 'lock')
    info = lock.peek()
    lock.validate_token(sys.argv[2].encode())
    print(info.nonce.decode(), info.get('pid'), sorted(info.info_dict))
`;
  const out = execFileSync('/usr/bin/python3', ['-c', peek, join(mine, 'standalone/.bzr/branch'), branchToken], { env: fx.env, encoding: 'utf8' });
  expect(out).toBe(`${branchToken} ${process.pid} ['hostname', 'nonce', 'pid', 'start_time', 'user']\n`);
  execFileSync('brz', ['break-lock', '--force', join(mine, 'standalone')], { env: fx.env, stdio: 'pipe' });
  expect(existsSync(join(mine, 'standalone/.bzr/branch/lock/held'))).toBe(false);
  expect(await ask(ours, 'Branch.unlock', ['standalone', branchToken, repoToken])).toMatchObject({ status: 'E', args: ['TokenMismatch'] });
  const relocked = await ask(ours, 'Branch.lock_write', ['standalone', '', '']);
  expect(relocked.status).toBe('S');
});
