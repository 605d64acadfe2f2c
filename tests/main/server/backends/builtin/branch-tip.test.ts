/**
 * Branch.set_last_revision_info, Branch.set_last_revision_ex and Branch.set_tags_bytes under
 * the client's lock token: the same sequence (moves forward and back, a descendant kept, divergence refused
 * or allowed, a ghost, wrong and empty tokens, no lock held, a bad revno, an empty revision
 * id, append_revisions_only) against `brz serve --allow-writes` and the built-in backend,
 * each over its own copy of the same fixtures, answer by answer; then the `last-revision`
 * files and their modes are the same, and Breezy reads the tip back.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { useBrzFixtures } from '../../../../support/brz-fixtures';
import { ask, BreezyPeer } from '../../../../support/server-call';
import { runSteps, type Step } from '../../../../support/token-steps';

const revs: Record<string, string> = {};
const fx = useBrzFixtures('hpss-builtin-tip-', (fixtures, env) => {
  const revid = (branch: string, rev: string) => execFileSync('brz', ['revision-info', '-d', join(fixtures, branch), '-r', rev], { env, encoding: 'utf8' }).trim().split(' ')[1];
  revs.one = revid('standalone', '1');
  revs.two = revid('standalone', '2');
  revs.merge = revid('standalone', '3');
  revs.feature = revid('feature', '2');
  // A branch that refuses to rewrite its main line.
  cpSync(join(fixtures, 'feature'), join(fixtures, 'append-only'), { recursive: true });
  appendFileSync(join(fixtures, 'append-only/.bzr/branch/branch.conf'), 'append_revisions_only = True\n');
});

/** Flags as bytes (Breezy's server takes any non-empty bytes as true) and as the ints brz sends. */
const STEPS = (): Step[] => [
  ['Branch.lock_write', () => ['standalone', '', '']],
  ['Branch.set_last_revision_info', (t) => ['standalone', t[0], '', '1', revs.one]],
  ['Branch.last_revision_info', () => ['standalone']],
  ['Branch.set_last_revision_info', () => ['standalone', 'wrong-token', '', '2', revs.two]],
  ['Branch.set_last_revision_info', () => ['standalone', '', '', '2', revs.two]],
  ['Branch.set_last_revision_info', (t) => ['standalone', t[0], '', 'x', revs.two]],
  ['Branch.set_last_revision_info', (t) => ['standalone', t[0], '', '2', '']],
  ['Branch.set_last_revision_info', (t) => ['standalone', t[0], '', '7', 'not-a-revision']],
  ['Branch.last_revision_info', () => ['standalone']],
  ['Branch.set_last_revision_info', (t) => ['standalone', t[0], '', '1', revs.one]],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', revs.merge, '', '']],
  ['Branch.last_revision_info', () => ['standalone']],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', revs.one, '', '']],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', revs.feature, '', '']],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', revs.two, '', '1']],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', revs.feature, '', '']],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', 'ghost-revision', '', '']],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', 'ghost-revision', '1', '1']],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', revs.feature, '1', '1']],
  ['Branch.last_revision_info', () => ['standalone']],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', 'null:', '1', '1']],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', revs.merge, '', '']],
  ['Branch.last_revision_info', () => ['standalone']],
  // As brz sends the flags: ints (0 is false here, unlike b'0').
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', revs.one, 0, 0]],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', revs.feature, 0, 1]],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', revs.two, 0, 0]],
  ['Branch.set_last_revision_ex', (t) => ['standalone', t[0], '', revs.two, 1, 1]],
  ['Branch.last_revision_info', () => ['standalone']],
  // Tags under the same lock: written, refused with another token, read back.
  ['Branch.set_tags_bytes', (t) => ['standalone', t[0], ''], Buffer.from(`d3:rel${revs.two.length}:${revs.two}e`)],
  ['Branch.set_tags_bytes', () => ['standalone', 'wrong-token', ''], Buffer.from('de')],
  ['Branch.get_tags_bytes', () => ['standalone']],
  ['Branch.unlock', (t) => ['standalone', t[0], '']],
  ['Branch.set_last_revision_ex', () => ['nope', 'x', '', revs.one, '', '']],
  ['Branch.set_last_revision_info', () => ['checkout-light', 'x', '', '1', revs.one]],
  ['Branch.lock_write', () => ['append-only', '', '']],
  ['Branch.set_last_revision_info', (t) => ['append-only', t[1], '', '1', revs.one]],
  ['Branch.set_last_revision_info', (t) => ['append-only', t[1], '', '2', revs.feature]],
  ['Branch.last_revision_info', () => ['append-only']],
  ['Branch.unlock', (t) => ['append-only', t[1], '']],
];

test('moving the tip under a lock token, answer by answer with brz serve; the same files result', async () => {
  const theirs = fx.copy('brz');
  const mine = fx.copy('ours');
  const brz = new BreezyPeer(theirs, true, fx.scratch);
  const ours = new BuiltinBackend({ dir: mine, allowWrites: true }).open();
  try {
    const expected = await runSteps(STEPS(), (verb, args, body) => brz.ask(verb, args, body));
    const actual = await runSteps(STEPS(), (verb, args, body) => ask(ours, verb, args, body));
    expect(actual).toEqual(expected);
    // The sequence reached the refusals it is there for.
    const answers = JSON.stringify(expected);
    for (const refusal of ['AppendRevisionsOnlyViolation', 'Diverged', 'NoSuchRevision', 'TokenMismatch', 'ValueError', 'InvalidRevisionId']) expect(answers).toContain(refusal);
  } finally {
    brz.close();
  }
  for (const [branch, name] of [['standalone', 'last-revision'], ['append-only', 'last-revision'], ['standalone', 'tags']]) {
    const file = (root: string) => join(root, branch, '.bzr/branch', name);
    expect(readFileSync(file(mine), 'utf8')).toBe(readFileSync(file(theirs), 'utf8'));
    expect(statSync(file(mine)).mode).toBe(statSync(file(theirs)).mode);
  }
  // With no lock held Breezy's server fails to encode its TokenMismatch (the held token is
  // None) and never answers; ours names the token given and an empty held one.
  const noLock = await ask(new BuiltinBackend({ dir: mine, allowWrites: true }).open(), 'Branch.set_last_revision_info', ['standalone', 'notlockednotlocked00', '', '1', revs.one]);
  expect(noLock).toEqual({ status: 'E', args: ['TokenMismatch', 'notlockednotlocked00', ''], body: null });
  // Breezy reads the tips back: the append-only branch kept its main line.
  expect(execFileSync('brz', ['revno', join(mine, 'append-only')], { env: fx.env, encoding: 'utf8' })).toBe('2\n');
  expect(execFileSync('brz', ['revno', join(mine, 'standalone')], { env: fx.env, encoding: 'utf8' })).toBe('2\n');
}, 120_000);
