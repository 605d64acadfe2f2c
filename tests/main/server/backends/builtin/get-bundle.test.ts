/**
 * get_bundle's error answers, answer by answer with `brz serve --inet`: a path with no bzrdir
 * at or above it (NotBranchError naming the path asked), a bzrdir without a repository of its
 * own (a branch of a shared repository, a lightweight checkout: NoRepositoryPresent naming
 * the bzrdir); and where Breezy opens a repository (at the path, or found by walking up from
 * a directory inside a tree or a shared repository) and answers a bundle, ours is not an
 * error of Breezy's.
 */
import { expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { useBrzFixtures } from '../../../../support/brz-fixtures';
import { ask, BreezyPeer, type ComparableAnswer } from '../../../../support/server-call';

const fx = useBrzFixtures('hpss-builtin-bundle-');

const normalise = (a: ComparableAnswer): ComparableAnswer => ({ ...a, args: a.args.map((x) => x.replace(/filtered-\d+:/g, 'filtered-N:')) });

test('get_bundle answers what brz serve answers where it refuses, and refuses nothing Breezy bundles', async () => {
  const brz = new BreezyPeer(fx.fixtures, false, fx.scratch);
  const ours = new BuiltinBackend({ dir: fx.fixtures, allowWrites: false }).open();
  try {
    const tip = (await brz.ask('Branch.last_revision_info', ['standalone'])).args[2];
    const refused = new Set<string>();
    let bundled = 0;
    const paths = ['', 'nowhere', 'nowhere/deeper', 'shared/trunk', 'shared/trunk/sub', 'shared/nested/deeper/b', 'checkout-light', 'checkout-light/sub', 'standalone', 'standalone/sub', 'standalone/a.txt', 'standalone/.bzr', 'shared', 'shared/nested', 'treeless', 'stacked'];
    for (const path of paths) {
      for (const revid of [tip, 'no-such-revision']) {
        const theirs = normalise(await brz.ask('get_bundle', [path, revid]));
        const mine = normalise(await ask(ours, 'get_bundle', [path, revid]));
        if (theirs.status === 'E') {
          refused.add(theirs.args[1]);
          expect({ path, revid, answer: mine }).toEqual({ path, revid, answer: theirs });
        } else {
          bundled++;
          expect(theirs.body?.startsWith('# Bazaar revision bundle v4\n#\nBZh9')).toBe(true);
          expect({ path, answer: mine.args.slice(0, 2) }).toEqual({ path, answer: ['error', 'hpss: get_bundle is not supported by the built-in backend'] });
        }
      }
    }
    expect([...refused].sort()).toEqual(['NoRepositoryPresent', 'NotBranchError']);
    expect(bundled).toBeGreaterThanOrEqual(14);
  } finally {
    brz.close();
  }
}, 120_000);
