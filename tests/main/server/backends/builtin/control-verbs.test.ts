/**
 * The built-in backend's BzrDir, Branch and Repository verbs answer as Breezy's own server
 * does, over branches and repositories real brz laid out: every verb at every kind of
 * location (standalone branch, shared repository and branches at two depths inside it,
 * treeless branch, lightweight checkout, plain directory, nothing), compared answer by
 * answer with `brz serve --inet` over the same directory. Breezy's error texts name its
 * transport by an object id (`filtered-140714585585552:///`), compared as `filtered-N`;
 * revision-graph lines come in hash order from Breezy, compared sorted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { requireTool } from '../../../../support/test-hosts';
import { brzFixtureEnv, makeBrzFixtures } from '../../../../support/brz-fixtures';
import { ask, BreezyPeer, type ComparableAnswer } from '../../../../support/server-call';

let scratch: string;
let root: string;
beforeAll(() => {
  requireTool('brz', 'brz');
  scratch = mkdtempSync(join(tmpdir(), 'hpss-builtin-control-'));
  root = join(scratch, 'root');
  makeBrzFixtures(root, brzFixtureEnv(join(scratch, 'home')));
  // Tree references as BzrBranch writes them (rio), one with a value over two lines.
  writeFileSync(join(root, 'feature/.bzr/branch/references'), 'branch_location: ../lib\nfile_id: lib-id\ntree_path: lib\n\nbranch_location: http://example.invalid/x\n\ty\nfile_id: other-id\n');
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const LOCATIONS = ['', 'standalone', 'standalone/sub', 'feature', 'shared', 'shared/trunk', 'shared/nested', 'shared/nested/deeper/b', 'treeless', 'checkout-light', 'stacked', 'nope', '/standalone/'];
const PATH_VERBS = [
  'BzrDir.open', 'BzrDir.open_2.1', 'BzrDir.open_branch', 'BzrDir.open_branchV2', 'BzrDir.open_branchV3', 'BzrDir.find_repository',
  'BzrDir.find_repositoryV2', 'BzrDir.find_repositoryV3', 'Repository.is_shared', 'Branch.last_revision_info',
  'Branch.get_stacked_on_url', 'Branch.get_config_file', 'Branch.get_tags_bytes', 'BzrDir.get_config_file',
  'Branch.get_parent', 'Branch.get_physical_lock_status', 'Repository.get_physical_lock_status', 'Repository.make_working_trees',
  'BzrDir.get_branches', 'BzrDir.checkout_metadir', 'Branch.get_all_reference_info', 'BzrDir.has_workingtree',
];

function normalise(answer: ComparableAnswer): ComparableAnswer {
  const args = answer.args.map((a) => a.replace(/filtered-\d+:/g, 'filtered-N:'));
  const body = answer.body === null ? null : answer.body.split('\n').sort().join('\n');
  return { ...answer, args, body };
}

test('every floor verb at every kind of location, answer by answer with brz serve', async () => {
  const brz = new BreezyPeer(root, false, scratch);
  const ours = new BuiltinBackend({ dir: root, allowWrites: false }).open();
  try {
    const tip = (await brz.ask('Branch.last_revision_info', ['standalone'])).args[2];
    const firstParentGraph = await brz.ask('Repository.get_revision_graph', ['standalone', tip]);
    const someRevision = (firstParentGraph.body ?? '').split('\n').map((l) => l.split(' ')[0]).find((r) => r !== tip) ?? '';
    const requests: [string, string[]][] = [
      ...LOCATIONS.flatMap((loc) => PATH_VERBS.map((verb): [string, string[]] => [verb, [loc]])),
      ...LOCATIONS.flatMap((loc): [string, string[]][] => [['BzrDir.cloning_metadir', [loc, 'False']], ['BzrDir.cloning_metadir', [loc, 'True']]]),
      ...['standalone', 'shared', 'shared/trunk', 'treeless', 'checkout-light', 'nope', 'standalone/sub'].flatMap((loc): [string, string[]][] => [
        ['Repository.get_revision_graph', [loc, '']],
        ['Repository.get_revision_graph', [loc, tip]],
        ['Repository.get_revision_graph', [loc, someRevision]],
        ['Repository.get_revision_graph', [loc, 'no-such-revision']],
        ['Repository.has_revision', [loc, tip]],
        ['Repository.has_revision', [loc, 'no-such-revision']],
      ]),
    ];
    for (const [verb, args] of requests) {
      const theirs = normalise(await brz.ask(verb, args));
      const mine = normalise(await ask(ours, verb, args));
      expect({ verb, args, answer: mine }).toEqual({ verb, args, answer: theirs });
    }
    expect(someRevision).not.toBe('');
  } finally {
    brz.close();
  }
}, 120_000);
