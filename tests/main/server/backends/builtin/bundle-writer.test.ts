/**
 * The v4 bundles we write equal Breezy's, record for record: Breezy's bundle is `brz serve`'s
 * own `get_bundle` answer, both are read by Breezy's read_bundle, and the records compared as
 * a set (Breezy's order within a topological level follows Python's set iteration). The
 * inventory chunks we diff come from Breezy (write_inventory_to_chunks), as the caller's
 * inventory reader will give them. Fixtures: the shared ones (a merge, binary and non-ASCII
 * files, a tag, a shared repository, a stacked branch) and a history with renames, deletes,
 * a symlink, a file without a final newline, a text merged from two per-file parents, edits
 * that move blocks, and signed and unsigned revisions.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleAnswer, BundleTooLargeError, bundleRevisionIds, topoIterKeys, writeBundle, type InventoryChunks,
} from '../../../../../src/main/server/backends/builtin/bundle-writer';
import { RepositoryInventories } from '../../../../../src/main/server/backends/builtin/chk-inventories';
import { DIFF_SLICE } from '../../../../../src/shared/bzr-formats/multiparent';
import { readVersionedFileIndex } from '../../../../../src/main/server/backends/builtin/pack-index';
import { ParentMapCache } from '../../../../../src/main/server/backends/builtin/revision-graph';
import { startBrzServe, type RunningBrzServe } from '../../../../support/brz-fixtures';
import { useBrzFixtures } from '../../../../support/brz-fixtures';
import { bundleRecords, CALL_GET_BUNDLE, INSTALL_BUNDLE, INVENTORY_CHUNKS, runBreezyPython, type BundleRecord } from '../../../../support/breezy-python';
import { requireTool } from '../../../../support/test-hosts';

function makeHistory(fixtures: string, env: NodeJS.ProcessEnv): void {
  requireTool('gpg', 'gnupg');
  const root = join(fixtures, 'history');
  const other = { ...env, BRZ_EMAIL: 'Other <other@example.invalid>' };
  const brz = (args: string[], cwd = root, e = env) => execFileSync('brz', args, { cwd, env: e, stdio: 'pipe' });
  const write = (name: string, data: string | Buffer, dir = root) => writeFileSync(join(dir, name), data);
  const numbered = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} ${i % 7 === 0 ? 'same' : i}\n`).join('');
  brz(['init', '-q', root], fixtures);
  write('a.txt', 'line 1\n');
  write('bin.dat', Buffer.from([0, 1, 2, 255, 128, 10, 0]));
  write('naïve é.txt', 'unicode name\n');
  write('no-newline.txt', 'first\nlast without newline');
  write('big.txt', numbered(400, 'big'));
  mkdirSync(join(root, 'sub'));
  symlinkSync('big.txt', join(root, 'link'));
  brz(['add', '-q']);
  brz(['commit', '-q', '-m', 'one']);
  brz(['mv', '-q', 'a.txt', 'sub/b.txt']);
  brz(['rm', '-q', 'bin.dat']);
  write('sub/b.txt', 'line 1\nline 2\n');
  const big = readFileSync(join(root, 'big.txt'), 'utf8').split('\n');
  write('big.txt', [...big.slice(200, 260), ...big.slice(0, 200), ...big.slice(260)].join('\n'));
  brz(['commit', '-q', '-m', 'two: rename, delete, move a block']);
  const feature = join(fixtures, 'history-feature');
  brz(['branch', '-q', root, feature], fixtures);
  write('f.txt', 'feature\n', feature);
  write('naïve é.txt', 'unicode name\nchanged on the feature\n', feature);
  write('big.txt', `feature top\n${readFileSync(join(feature, 'big.txt'), 'utf8')}`, feature);
  brz(['add', '-q', 'f.txt'], feature, other);
  brz(['commit', '-q', '-m', 'feature work'], feature, other);
  write('sub/b.txt', 'line 0\nline 1\nline 2\n');
  write('big.txt', `${readFileSync(join(root, 'big.txt'), 'utf8')}trunk bottom\n`);
  brz(['commit', '-q', '-m', 'three']);
  brz(['merge', '-q', feature]);
  brz(['commit', '-q', '-m', 'merge feature']);
  brz(['tag', '-q', 'v1']);
  write('no-newline.txt', 'first\nsecond\nstill no newline');
  brz(['rm', '-q', 'sub/b.txt']);
  brz(['commit', '-q', '-m', 'five']);
  const gnupg = join(fixtures, '..', 'gnupg');
  mkdirSync(gnupg, { recursive: true, mode: 0o700 });
  const signing = { ...env, GNUPGHOME: gnupg };
  execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'Fixture <fixture@example.invalid>', 'ed25519', 'sign', 'never'], { env: signing, stdio: 'pipe' });
  // Only Fixture's revisions: the feature revision (Other's) stays unsigned.
  brz(['sign-my-commits', '.', 'Fixture <fixture@example.invalid>'], root, signing);
  // Stacked with a revision of its own: its parent's inventory is there (read, not sent),
  // the per-file parents of its texts are not (ghosts).
  const stacked = join(fixtures, 'history-stacked');
  brz(['branch', '-q', '--stacked', root, stacked], fixtures);
  write('no-newline.txt', 'changed on the stacked branch\n', stacked);
  write('big.txt', `${readFileSync(join(stacked, 'big.txt'), 'utf8')}stacked bottom\n`, stacked);
  brz(['commit', '-q', '-m', 'stacked work'], stacked);
  makeLarge(fixtures, env);
}

/** Lines of the large text: more than fit in one call's arguments, and many slices of diff work. */
const LARGE_LINES = 180_000;

/** A branch whose one file is 180,000 lines (8 MB), then edited every 97th line. */
function makeLarge(fixtures: string, env: NodeJS.ProcessEnv): void {
  const root = join(fixtures, 'large');
  const brz = (args: string[], cwd = root) => execFileSync('brz', args, { cwd, env, stdio: 'pipe' });
  brz(['init', '-q', root], fixtures);
  const lines = Array.from({ length: LARGE_LINES }, (_, i) => `line ${i} ${'x'.repeat(i % 60)} ${(i * 7919) % 1000}\n`);
  writeFileSync(join(root, 'large.txt'), lines.join(''));
  brz(['add', '-q']);
  brz(['commit', '-q', '-m', 'large']);
  writeFileSync(join(root, 'large.txt'), lines.map((l, i) => (i % 97 === 0 ? `changed ${l}` : l)).join(''));
  brz(['commit', '-q', '-m', 'large, edited']);
}

const fx = useBrzFixtures('hpss-bundle-', makeHistory);
let serve: RunningBrzServe;
const graphs = new ParentMapCache();

beforeAll(async () => {
  serve = await startBrzServe(fx.fixtures, fx.env, false);
}, 30_000);
afterAll(() => serve?.stop());

const port = () => Number(new URL(serve.url).port);
const tipOf = (branch: string) => readFileSync(join(fx.fixtures, branch, '.bzr/branch/last-revision'), 'utf8').trim().split(' ')[1];

function breezyBundle(path: string, revid: string): BundleRecord[] {
  const [answer] = runBreezyPython<{ args?: string[]; body?: string; error?: string[] }[]>(CALL_GET_BUNDLE, { port: port(), calls: [[path, revid]] }, fx.env);
  expect(answer.args).toEqual([]);
  return bundleRecords(answer.body as string);
}

/** Breezy's serialised inventories of every revision of a repository. */
async function breezyInventories(repository: string): Promise<InventoryChunks> {
  // Every inventory the repository has: a stacked one holds its parents' too.
  const revisions = [...(await readVersionedFileIndex(repository, 'iix')).keys()];
  const bzrdir = repository.replace(/\/\.bzr\/repository$/, '');
  const chunks = runBreezyPython<Record<string, string[]>>(INVENTORY_CHUNKS, { bzrdir, revisions }, fx.env);
  return async (revid) => {
    const hex = chunks[revid];
    if (!hex) throw new Error(`no inventory for ${revid}`);
    return hex.map((h) => Buffer.from(h, 'hex'));
  };
}

async function ourBundle(repository: string, target: string, limit?: number): Promise<Uint8Array> {
  const pieces = await writeBundle(repository, target, await graphs.get(repository), await breezyInventories(repository), { limit });
  return Buffer.concat(pieces);
}

describe('v4 bundles from a 2a repository, beside brz serve', () => {
  const cases: [name: string, path: string, repository: string, branch: string][] = [
    ['history (renames, deletes, two-parent texts, signatures)', 'history', 'history/.bzr/repository', 'history'],
    ['standalone (merge, binary, non-ASCII names, tag)', 'standalone', 'standalone/.bzr/repository', 'standalone'],
    ['a shared repository, its branch tip', 'shared', 'shared/.bzr/repository', 'shared/trunk'],
    ['a stacked branch', 'stacked', 'stacked/.bzr/repository', 'stacked'],
    ['a stacked branch with a revision of its own (ghost text parents)', 'history-stacked', 'history-stacked/.bzr/repository', 'history-stacked'],
    ['a text of 180,000 lines, new then edited', 'large', 'large/.bzr/repository', 'large'],
  ];

  it.each(cases)('%s: the same records as Breezy', async (_name, path, repository, branch) => {
    const target = tipOf(branch);
    const ours = bundleRecords(await ourBundle(join(fx.fixtures, repository), target));
    const theirs = breezyBundle(path, target);
    expect(ours).toEqual(theirs);
  }, 60_000);

  it('the history bundle has every kind of record, mpdiffs against two parents among them', async () => {
    const records = breezyBundle('history', tipOf('history'));
    const kinds = new Set(records.map((r) => r[0]));
    expect([...kinds].sort()).toEqual(['file', 'info', 'inventory', 'revision', 'signature']);
    const files = records.filter((r) => r[0] === 'file');
    expect(files.some((r) => (r[3].parents as string[]).length === 2)).toBe(true);
    const signed = records.filter((r) => r[0] === 'signature').length;
    const revisions = records.filter((r) => r[0] === 'revision').length;
    expect(signed).toBeGreaterThan(0);
    expect(signed).toBeLessThan(revisions);
  }, 60_000);

  it('the stacked bundle sends its own revision only, its file texts diffed against no parent', () => {
    const records = breezyBundle('history-stacked', tipOf('history-stacked'));
    expect(records.filter((r) => r[0] === 'revision')).toHaveLength(1);
    const files = records.filter((r) => r[0] === 'file' && (r[3].parents as string[]).length > 0);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f[4] === null ? '' : Buffer.from(f[4], 'hex').toString('latin1')).not.toMatch(/^c /m);
    const inventory = records.find((r) => r[0] === 'inventory');
    expect(Buffer.from(inventory?.[4] ?? '', 'hex').toString('latin1')).toMatch(/^c 0 /m);
  }, 60_000);

  it('Breezy installs our bundle into a new repository: every mpdiff applies, sha1s match, the tip tree is the branch\'s', async () => {
    const repository = join(fx.fixtures, 'history/.bzr/repository');
    const tip = tipOf('history');
    const ours = Buffer.from(await ourBundle(repository, tip)).toString('hex');
    const installed = runBreezyPython<{ revisions: string[]; inconsistent_parents: number; texts: number; files: Record<string, string> }>(
      INSTALL_BUNDLE, { directory: join(fx.scratch, 'installed-history'), bundle: ours, tip }, fx.env);
    expect(installed.revisions).toEqual([...(await graphs.get(repository)).keys()].sort());
    expect(installed.inconsistent_parents).toBe(0);
    expect(installed.texts).toBeGreaterThan(10);
    const cat = (path: string) => execFileSync('brz', ['cat', '-d', join(fx.fixtures, 'history'), path], { env: fx.env }).toString('hex');
    expect(Object.keys(installed.files).sort()).toEqual(['big.txt', 'f.txt', 'naïve é.txt', 'no-newline.txt']);
    for (const [path, hex] of Object.entries(installed.files)) expect({ path, hex }).toEqual({ path, hex: cat(path) });
  }, 60_000);

  it('gives way to other connections between pieces and between slices of a large text\'s diff', async () => {
    const repository = join(fx.fixtures, 'large/.bzr/repository');
    let turns = 0;
    const giveWay = () => {
      turns++;
      return new Promise((resolve) => setImmediate(resolve));
    };
    const pieces = await writeBundle(repository, tipOf('large'), await graphs.get(repository), await breezyInventories(repository), { giveWay });
    // After each piece, and after each slice of diff work: hashing the lines alone (the new
    // text, then the edited one and its parent) is one unit a line.
    expect(turns).toBeGreaterThanOrEqual(pieces.length + Math.floor((3 * LARGE_LINES) / DIFF_SLICE));
  }, 60_000);

  it('an earlier revision bundles only its ancestry', async () => {
    const parents = await graphs.get(join(fx.fixtures, 'history/.bzr/repository'));
    const tip = tipOf('history');
    const mainParent = (parents.get(tip) ?? [])[0];
    const ours = bundleRecords(await ourBundle(join(fx.fixtures, 'history/.bzr/repository'), mainParent));
    expect(ours).toEqual(breezyBundle('history', mainParent));
    expect(ours.some((r) => r[1] === tip)).toBe(false);
  }, 60_000);

  it('a revision the repository does not have gives the info record alone, as Breezy', async () => {
    const repository = join(fx.fixtures, 'history/.bzr/repository');
    for (const revid of ['no-such-revision', 'null:', '']) {
      const ours = bundleRecords(await ourBundle(repository, revid));
      expect(ours).toEqual(breezyBundle('history', revid));
      expect(ours.map((r) => r[0])).toEqual(['info']);
    }
  }, 60_000);

  it('refuses a bundle whose texts exceed the limit, naming it', async () => {
    const repository = join(fx.fixtures, 'history/.bzr/repository');
    await expect(ourBundle(repository, tipOf('history'), 4096)).rejects.toThrow(BundleTooLargeError);
    await expect(ourBundle(repository, tipOf('history'), 4096)).rejects.toThrow(/limit of 4096 bytes/);
  }, 60_000);
});

describe('the get_bundle answer', () => {
  it('is () and the bundle, or an error naming the limit', async () => {
    const repository = join(fx.fixtures, 'history/.bzr/repository');
    const parents = await graphs.get(repository);
    const inventories = await breezyInventories(repository);
    const answer = await bundleAnswer(repository, tipOf('history'), parents, inventories);
    expect({ status: answer.status, args: answer.args }).toEqual({ status: 'S', args: [] });
    expect(bundleRecords(answer.body as Uint8Array)).toEqual(breezyBundle('history', tipOf('history')));
    const refused = await bundleAnswer(repository, tipOf('history'), parents, inventories, { limit: 4096 });
    expect(refused).toEqual({ status: 'E', args: ['error', "hpss: get_bundle refused: the bundle's texts exceed the built-in backend's limit of 4096 bytes"] });
  }, 60_000);

  it('is an error naming the inventory limit when an inventory is too large to serialise', async () => {
    const repository = join(fx.fixtures, 'history/.bzr/repository');
    const inventories = await RepositoryInventories.open(repository, { maxDepth: 32, maxPages: 100_000, maxEntries: 2 });
    const answer = await bundleAnswer(repository, tipOf('history'), await graphs.get(repository), async (revid) => (await inventories.xmlChunks(revid)) ?? []);
    expect(answer).toEqual({ status: 'E', args: ['error', 'hpss: get_bundle refused: inventory has more than 2 entries'] });
  }, 60_000);
});

describe('bundle revisions and order', () => {
  const parents = new Map<string, string[]>([
    ['a', []],
    ['b', ['a']],
    ['c', ['a', 'ghost']],
    ['d', ['b', 'c']],
    ['other', []],
  ]);

  it('takes the target and its ancestors, not ghosts or unrelated revisions', () => {
    expect(bundleRevisionIds(parents, 'd').sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(bundleRevisionIds(parents, 'ghost')).toEqual([]);
  });

  it('orders keys parents first (multiparent._topo_iter)', () => {
    const order = topoIterKeys((k) => parents.get(k) ?? [], ['d', 'c', 'b', 'a']);
    expect(order).toHaveLength(4);
    for (const [k, ps] of parents) for (const p of ps) if (order.includes(p) && order.includes(k)) expect(order.indexOf(p)).toBeLessThan(order.indexOf(k));
  });
});
