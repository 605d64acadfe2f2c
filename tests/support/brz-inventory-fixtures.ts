/**
 * A branch whose inventories exercise every part of a 2a inventory, made by real brz (for
 * useBrzFixtures' `also`): `tree` with about 650 entries (so `id_to_entry` needs internal
 * CHK pages), nested directories, an executable file, a symlink, binary content, non-ASCII
 * names (U+0101 has a UTF-8 byte in 0x80–0x9F; U+FF21 sorts before U+1D11E by code point,
 * after it by UTF-16 unit) and names with the XML specials; then renames, moves, deletions
 * (a whole directory too), a mode change and a new symlink target; a merge of
 * `tree-feature` (two parents); and last a revision committed through Breezy's API with a
 * file id and revision id holding `&<>"'`, U+00E9 and U+1D11E. `tree-stacked`, stacked on
 * `tree` with one commit of its own, holds that revision's inventory and its parent's.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const INVENTORY_TREE = 'tree';
export const INVENTORY_FEATURE = 'tree-feature';
export const INVENTORY_STACKED = 'tree-stacked';
/** The file id and revision id the last revision of `tree` was given. */
export const ODD_FILE_ID = `id-&<>"'-\u00e9-\u{1d11e}`;
export const ODD_REVISION_ID = `rev-&<>"'-\u00e9-\u{1d11e}`;

const MANY_DIRS = 12;
const FILES_PER_DIR = 50;
export const SPECIAL_NAMES = [`a&b <c> "q" 's'.txt`, '\u0101 macron', '日本語.txt', '\u{1d11e} clef', '\uff21 full'];

const COMMIT_ODD_IDS = `
import sys, breezy
with breezy.initialize():
    import breezy.bzr
    from breezy.workingtree import WorkingTree
    wt = WorkingTree.open(sys.argv[1])
    with wt.lock_write():
        wt.add(['odd ids.txt'], ids=[sys.argv[2].encode('utf-8')])
        wt.commit('odd ids', rev_id=sys.argv[3].encode('utf-8'))
`;

export function makeInventoryFixtures(root: string, env: NodeJS.ProcessEnv): void {
  const brz = (...args: string[]) => execFileSync('brz', args, { cwd: root, env, stdio: 'pipe' });
  const tree = join(root, INVENTORY_TREE);
  const at = (...parts: string[]) => join(tree, ...parts);
  brz('init', '-q', INVENTORY_TREE);
  for (let d = 0; d < MANY_DIRS; d++) {
    const dir = at('many', `d${String(d).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR; f++) writeFileSync(join(dir, `f-${String(f).padStart(3, '0')}.txt`), `file ${d}/${f}\n`);
  }
  mkdirSync(at('a/b/c'), { recursive: true });
  writeFileSync(at('a/b/c/deep.txt'), 'deep\n');
  writeFileSync(at('run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
  writeFileSync(at('bin.dat'), Buffer.from([0, 1, 2, 255, 128, 10, 0x81, 0x9f]));
  symlinkSync('a/b/c/deep.txt', at('link'));
  mkdirSync(at('naïve é'));
  writeFileSync(at('naïve é', 'inner.txt'), 'inner\n');
  for (const name of SPECIAL_NAMES) writeFileSync(at(name), `${name}\n`);
  brz('add', '-q', INVENTORY_TREE);
  brz('commit', '-q', '-m', 'one', INVENTORY_TREE);

  brz('branch', '-q', INVENTORY_TREE, INVENTORY_FEATURE);
  const feature = join(root, INVENTORY_FEATURE);
  writeFileSync(join(feature, 'feature.txt'), 'feature\n');
  writeFileSync(join(feature, 'many/d01/f-001.txt'), 'changed on the feature branch\n');
  brz('add', '-q', join(INVENTORY_FEATURE, 'feature.txt'));
  brz('mv', '-q', join(INVENTORY_FEATURE, 'many/d02/f-002.txt'), join(INVENTORY_FEATURE, 'many/d02/f-002-renamed.txt'));
  brz('commit', '-q', '-m', 'feature work', INVENTORY_FEATURE);

  const inTree = (...args: string[]) => execFileSync('brz', args, { cwd: tree, env, stdio: 'pipe' });
  inTree('mv', '-q', 'a/b/c/deep.txt', 'a/moved-deep.txt');
  inTree('mv', '-q', '\u0101 macron', 'a/b/\u0101 renamed');
  inTree('rm', '-q', 'many/d03/f-007.txt', 'many/d11');
  chmodSync(at('run.sh'), 0o644);
  writeFileSync(at('bin.dat'), Buffer.from([255, 254, 0, 0, 10]));
  rmSync(at('link'));
  symlinkSync('a/moved-deep.txt', at('link'));
  inTree('commit', '-q', '-m', 'two');
  inTree('merge', '-q', `../${INVENTORY_FEATURE}`);
  inTree('commit', '-q', '-m', 'merge feature');

  writeFileSync(at('odd ids.txt'), 'odd ids\n');
  execFileSync('/usr/bin/python3', ['-c', COMMIT_ODD_IDS, tree, ODD_FILE_ID, ODD_REVISION_ID], { env, stdio: 'pipe' });

  brz('branch', '-q', '--stacked', INVENTORY_TREE, INVENTORY_STACKED);
  writeFileSync(join(root, INVENTORY_STACKED, 'many/d00/f-000.txt'), 'changed on the stacked branch\n');
  brz('commit', '-q', '-m', 'stacked work', INVENTORY_STACKED);
}
