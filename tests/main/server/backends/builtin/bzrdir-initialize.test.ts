/**
 * BzrDirFormat.initialize_ex_1.16 as `brz push` (new branch) and `brz init-shared-repo` send
 * it, and around them: inside a shared repository, forced new repository, no working trees,
 * no repository, an existing directory used or refused, missing parents made or refused, an
 * existing bzrdir, a bad flag — against `brz serve --allow-writes` and the built-in backend,
 * each over its own copy of the same fixtures, answer by answer; then the trees made on disk
 * are the same (names, kinds, modes, contents). Stacking is left to the client's VFS fallback.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { useBrzFixtures } from '../../../../support/brz-fixtures';
import { ask, BreezyPeer, type ComparableAnswer } from '../../../../support/server-call';

const META = 'Bazaar-NG meta directory, format 1\n';
const REPO_2A = 'Bazaar repository format 2a (needs bzr 1.16 or later)\n';

const fx = useBrzFixtures('hpss-builtin-init-');

/** path, use_existing_dir, create_prefix, force_new_repo, stacked_on, stack_on_pwd, repo format, make_working_trees, shared_repo. */
const REQUESTS: string[][] = [
  ['pushed', 'False', 'False', 'False', '', 'file:///somewhere/b/', REPO_2A, 'True', 'False'],
  ['shared/pushed', 'False', 'False', 'False', '', 'file:///somewhere/b/', REPO_2A, 'True', 'False'],
  ['new-shared', 'True', 'True', 'True', '', '', REPO_2A, 'True', 'True'],
  ['treeless-shared', 'True', 'True', 'True', '', '', REPO_2A, 'False', 'True'],
  ['new-shared/inside', 'False', 'False', 'False', '', '', REPO_2A, 'False', 'False'],
  ['bare', 'False', 'False', 'False', '', '', '', '', ''],
  ['standalone/sub', 'False', 'False', 'False', '', '', REPO_2A, 'True', 'False'],
  ['standalone/sub', 'True', 'False', 'False', '', '', REPO_2A, 'True', 'False'],
  ['a/b/c', 'False', 'False', 'False', '', '', REPO_2A, 'True', 'False'],
  ['a/b/c', 'False', 'True', 'False', '', '', REPO_2A, 'True', 'False'],
  ['feature', 'True', 'False', 'False', '', '', REPO_2A, 'True', 'False'],
  ['shared/forced', 'False', 'False', 'True', '', 'file:///somewhere/c/', REPO_2A, 'True', 'False'],
  ['standalone/sub/deeper', 'False', 'False', 'False', '', 'file:///somewhere/d/', REPO_2A, 'True', 'False'],
  ['flag', 'maybe', 'False', 'False', '', '', REPO_2A, 'True', 'False'],
];
const MADE = ['pushed', 'shared/pushed', 'new-shared', 'treeless-shared', 'bare', 'standalone/sub', 'a', 'shared/forced'];

const normalise = (a: ComparableAnswer, root: string): ComparableAnswer => ({
  ...a,
  args: a.args.map((x) => x.split(root).join('ROOT').replace(/filtered-\d+:/g, 'filtered-N:')),
});

/** Every entry under `dir`: relative name, kind, permission bits, and a file's content. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = join(dir, rel, name);
      const st = lstatSync(path);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        out.push(`${rel}${name}/ ${mode}`);
        walk(`${rel}${name}/`);
      } else out.push(`${rel}${name} ${mode} ${JSON.stringify(readFileSync(path, 'latin1'))}`);
    }
  };
  walk('');
  return out;
}

test('initialize_ex answer by answer with brz serve; the same trees on disk', async () => {
  const theirs = fx.copy('brz');
  const mine = fx.copy('ours');
  const brz = new BreezyPeer(theirs, true, fx.scratch);
  const ours = new BuiltinBackend({ dir: mine, allowWrites: true }).open();
  try {
    for (const request of REQUESTS) {
      const args = [META, ...request];
      const expected = normalise(await brz.ask('BzrDirFormat.initialize_ex_1.16', args), theirs);
      const actual = normalise(await ask(ours, 'BzrDirFormat.initialize_ex_1.16', args), mine);
      expect({ request, answer: actual }).toEqual({ request, answer: expected });
    }
  } finally {
    brz.close();
  }
  for (const made of MADE) expect({ made, tree: tree(join(mine, made)) }).toEqual({ made, tree: tree(join(theirs, made)) });
  // The comparison covered new repositories, shared and not, with and without working trees.
  expect(tree(join(mine, 'treeless-shared'))).toEqual(expect.arrayContaining([expect.stringMatching(/^\.bzr\/repository\/no-working-trees /), expect.stringMatching(/^\.bzr\/repository\/shared-storage /)]));
  expect(tree(join(mine, 'pushed'))).toEqual(expect.arrayContaining([expect.stringMatching(/^\.bzr\/repository\/pack-names /)]));
}, 120_000);

test('read-only, and what is left to the VFS: stacking and other formats', async () => {
  const theirs = fx.copy('brz-ro');
  const mine = fx.copy('ours-ro');
  const brz = new BreezyPeer(theirs, false, fx.scratch);
  const ours = new BuiltinBackend({ dir: mine, allowWrites: false }).open();
  const requests: [string, string[]][] = [
    ['BzrDirFormat.initialize_ex_1.16', [META, 'ro', 'False', 'False', 'False', '', '', REPO_2A, 'True', 'False']],
    ['BzrDir.create_repository', ['shared/trunk/', REPO_2A, 'False']],
    ['BzrDir.create_branch', ['shared/', 'Bazaar Branch Format 7 (needs bzr 1.6)\n']],
  ];
  try {
    for (const [verb, args] of requests) expect({ verb, answer: await ask(ours, verb, args) }).toEqual({ verb, answer: await brz.ask(verb, args) });
  } finally {
    brz.close();
  }
  const writable = new BuiltinBackend({ dir: mine, allowWrites: true }).open();
  const unknown = { status: 'E', args: ['UnknownMethod', 'BzrDirFormat.initialize_ex_1.16'], body: null };
  expect(await ask(writable, 'BzrDirFormat.initialize_ex_1.16', [META, 'new-stacked', 'False', 'False', 'False', '/standalone', '.', REPO_2A, 'True', 'False'])).toEqual(unknown);
  expect(await ask(writable, 'BzrDirFormat.initialize_ex_1.16', [META, 'knit', 'False', 'False', 'False', '', '', 'Bazaar-NG Knit Repository Format 1', 'True', 'False'])).toEqual(unknown);
  expect(readdirSync(mine)).not.toContain('new-stacked');
  expect(readdirSync(mine)).not.toContain('ro');
});

const BRANCH_7 = 'Bazaar Branch Format 7 (needs bzr 1.6)\n';
const BRANCH_8 = 'Bazaar Branch Format 8 (needs bzr 1.15)\n';
const BRANCH_6 = 'Bazaar Branch Format 6 (bzr 0.15)\n';

/** As `brz init` sends them after BzrDirFormat.initialize: a repository, then a branch. */
const CREATE_STEPS: [string, string[]][] = [
  ['mkdir', ['cr1', '']],
  ['BzrDirFormat.initialize', ['cr1/']],
  ['BzrDir.create_repository', ['cr1/', REPO_2A, 'False']],
  ['BzrDir.create_branch', ['cr1/', BRANCH_7]],
  ['BzrDir.has_workingtree', ['cr1/']],
  ['mkdir', ['cr2', '']],
  ['BzrDirFormat.initialize', ['cr2/']],
  ['BzrDir.create_repository', ['cr2/', REPO_2A, 'True']],
  ['BzrDir.create_branch', ['cr2/', BRANCH_6]],
  ['mkdir', ['shared/cr3', '']],
  ['BzrDirFormat.initialize', ['shared/cr3/']],
  ['BzrDir.create_branch', ['shared/cr3/', BRANCH_8]],
  ['BzrDir.create_branch', ['nope/', BRANCH_7]],
  ['BzrDir.create_repository', ['nope/', REPO_2A, 'False']],
];

test('create_repository and create_branch (brz init) answer by answer with brz serve; the same trees on disk', async () => {
  const theirs = fx.copy('brz-create');
  const mine = fx.copy('ours-create');
  const brz = new BreezyPeer(theirs, true, fx.scratch);
  const ours = new BuiltinBackend({ dir: mine, allowWrites: true }).open();
  try {
    for (const [verb, args] of CREATE_STEPS) {
      const expected = normalise(await brz.ask(verb, args), theirs);
      const actual = normalise(await ask(ours, verb, args), mine);
      expect({ verb, args, answer: actual }).toEqual({ verb, args, answer: expected });
    }
  } finally {
    brz.close();
  }
  for (const made of ['cr1', 'cr2', 'shared/cr3']) expect({ made, tree: tree(join(mine, made)) }).toEqual({ made, tree: tree(join(theirs, made)) });
  expect(tree(join(mine, 'shared/cr3'))).toEqual(expect.arrayContaining([expect.stringMatching(/^\.bzr\/branch\/references /)]));
  // What is left to the VFS: an existing branch or repository, a format we do not lay out.
  const unknown = (verb: string) => ({ status: 'E', args: ['UnknownMethod', verb], body: null });
  expect(await ask(ours, 'BzrDir.create_branch', ['standalone/', BRANCH_7])).toEqual(unknown('BzrDir.create_branch'));
  expect(await ask(ours, 'BzrDir.create_repository', ['standalone/', REPO_2A, 'False'])).toEqual(unknown('BzrDir.create_repository'));
  expect(await ask(ours, 'BzrDir.create_repository', ['cr1/', 'Bazaar-NG Knit Repository Format 1', 'False'])).toEqual(unknown('BzrDir.create_repository'));
}, 120_000);
