/**
 * get_bundle, answer by answer with `brz serve --inet` on every kind of path: where Breezy
 * refuses — no bzrdir at or above the path (NotBranchError naming the path asked), a bzrdir
 * without a repository of its own (a branch of a shared repository, a lightweight checkout:
 * NoRepositoryPresent naming the bzrdir) — the same refusal; where it opens a repository (at
 * the path, or found by walking up from a directory inside a tree or a shared repository)
 * and answers a bundle, ours has the same records (inventories serialised from the CHK maps
 * by our reader, texts diffed by our writer), read by Breezy's own read_bundle.
 */
import { expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { useBrzFixtures } from '../../../../support/brz-fixtures';
import { bundleRecords } from '../../../../support/breezy-python';
import { ask, BreezyPeer, type ComparableAnswer } from '../../../../support/server-call';

const fx = useBrzFixtures('hpss-builtin-bundle-');

const normalise = (a: ComparableAnswer): ComparableAnswer => ({ ...a, args: a.args.map((x) => x.replace(/filtered-\d+:/g, 'filtered-N:')) });

test('get_bundle refuses where brz serve refuses, and answers the bundles it answers with the same records', async () => {
  const brz = new BreezyPeer(fx.fixtures, false, fx.scratch);
  const ours = new BuiltinBackend({ dir: fx.fixtures, allowWrites: false }).open();
  try {
    const tip = (await brz.ask('Branch.last_revision_info', ['standalone'])).args[2];
    const refused = new Set<string>();
    let bundled = 0;
    let withRevisions = 0;
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
          expect({ path, revid, status: mine.status, args: mine.args }).toEqual({ path, revid, status: 'S', args: [] });
          const records = bundleRecords(Buffer.from(mine.body ?? '', 'latin1'));
          expect({ path, revid, records }).toEqual({ path, revid, records: bundleRecords(Buffer.from(theirs.body ?? '', 'latin1')) });
          if (revid === tip) withRevisions += records.some((r) => r[0] === 'inventory') ? 1 : 0;
        }
      }
    }
    expect([...refused].sort()).toEqual(['NoRepositoryPresent', 'NotBranchError']);
    expect(bundled).toBeGreaterThanOrEqual(14);
    expect(withRevisions).toBeGreaterThanOrEqual(5);
  } finally {
    brz.close();
  }
}, 120_000);
