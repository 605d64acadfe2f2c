/**
 * Inventories read out of 2a repositories (CHK root texts and id_to_entry pages) and written
 * as Breezy's inventory XML: for every revision of real fixture repositories, the chunks
 * must be byte for byte what Breezy's own serializer writes of the inventory it reads
 * (`repo._serializer.write_inventory_to_chunks(repo.get_inventory(revid))`).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { InventoryTooLargeError, NoSuchInventoryError, RepositoryInventories } from '../../../../../src/main/server/backends/builtin/chk-inventories';
import { useBrzFixtures } from '../../../../support/brz-fixtures';
import { INVENTORY_STACKED, INVENTORY_TREE, makeInventoryFixtures, ODD_REVISION_ID } from '../../../../support/brz-inventory-fixtures';

// Prints, per repository given (DIR, then the names of bzrdirs in it), each inventory it holds (a stacked repository holds its
// parents' too) with Breezy's XML of it (base64), the XML's chunk count, and whether
// id_to_entry's root page is an internal node.
const BREEZY_INVENTORIES = `
import base64, json, sys, breezy
with breezy.initialize():
    import breezy.bzr
    from breezy.repository import Repository
    from breezy.bzr import chk_map
    out = {}
    for name in sys.argv[2:]:
        repo = Repository.open(sys.argv[1] + '/' + name)
        with repo.lock_read():
            revisions = []
            for (revid,) in sorted(repo.inventories.keys()):
                inv = repo.get_inventory(revid)
                chunks = repo._serializer.write_inventory_to_chunks(inv)
                inv.id_to_entry._ensure_root()
                revisions.append({'id': revid.decode('utf-8'), 'chunks': len(chunks), 'xml': base64.b64encode(b''.join(chunks)).decode(),
                                  'internal': isinstance(inv.id_to_entry._root_node, chk_map.InternalNode)})
            out[name] = revisions
    json.dump(out, sys.stdout)
`;

// Prints, per repository given (DIR, then names), Repository.fileids_altered_by_revision_ids
// for each inventory's revision alone, for every pair of them, and for all of them.
const BREEZY_ALTERED = `
import itertools, json, sys, breezy
with breezy.initialize():
    import breezy.bzr
    from breezy.repository import Repository
    out = {}
    for name in sys.argv[2:]:
        repo = Repository.open(sys.argv[1] + '/' + name)
        with repo.lock_read():
            ids = sorted(k[0] for k in repo.inventories.keys())
            sets = [[i] for i in ids] + [list(p) for p in itertools.combinations(ids, 2)] + [ids]
            out[name] = [{'revisions': [r.decode('utf-8') for r in revs],
                          'altered': sorted([f.decode('utf-8'), r.decode('utf-8')] for f, rs in repo.fileids_altered_by_revision_ids(revs).items() for r in rs)}
                         for revs in sets]
    json.dump(out, sys.stdout)
`;

interface BreezyInventory {
  id: string;
  chunks: number;
  xml: string;
  internal: boolean;
}

/** The repositories swept: two of the common fixtures' (one shared) and the inventory tree's and its stacked branch's. */
const REPOSITORIES = ['standalone', 'shared', INVENTORY_TREE, INVENTORY_STACKED];

const fx = useBrzFixtures('hpss-chk-inventories-', makeInventoryFixtures);
const repositoryDir = (name: string) => join(fx.fixtures, name, '.bzr/repository');
let breezy: Record<string, BreezyInventory[]>;
beforeAll(() => {
  const out = execFileSync('/usr/bin/python3', ['-c', BREEZY_INVENTORIES, fx.fixtures, ...REPOSITORIES], { env: fx.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  breezy = JSON.parse(out) as Record<string, BreezyInventory[]>;
}, 60_000);

test("every revision's inventory XML is Breezy's, byte for byte and chunk for chunk", async () => {
  let compared = 0;
  for (const branch of REPOSITORIES) {
    const inventories = await RepositoryInventories.open(repositoryDir(branch));
    for (const expected of breezy[branch]) {
      const chunks = await inventories.xmlChunks(expected.id);
      expect(chunks, `${branch} ${expected.id}`).not.toBeNull();
      const xml = Buffer.concat(chunks ?? []);
      expect({ branch, revision: expected.id, xml: xml.toString('utf8') }).toEqual({ branch, revision: expected.id, xml: Buffer.from(expected.xml, 'base64').toString('utf8') });
      expect(xml.equals(Buffer.from(expected.xml, 'base64'))).toBe(true);
      expect(chunks?.length).toBe(expected.chunks);
      compared++;
    }
  }
  expect(REPOSITORIES.map((r) => breezy[r].length)).toEqual([4, 4, 5, 2]);
  expect(compared).toBe(4 + 4 + 5 + 2);
}, 60_000);

test('the inventory fixtures cover what they claim: internal CHK pages, a merge, the odd ids, every kind', () => {
  const tree = breezy[INVENTORY_TREE];
  expect(tree.map((r) => r.internal)).toEqual(tree.map(() => true));
  expect(tree.length).toBe(5);
  const xml = tree.map((r) => Buffer.from(r.xml, 'base64').toString('utf8')).join('');
  for (const needle of ['executable="yes"', '<symlink ', 'name="a&amp;b &lt;c&gt; &quot;q&quot; &apos;s&apos;.txt"', 'file_id="id-&amp;&lt;&gt;&quot;&apos;-&#233;-&#119070;"', '&#257; renamed', '\u{1d11e} clef']) {
    expect(xml).toContain(needle);
  }
  expect(tree.some((r) => r.id === ODD_REVISION_ID)).toBe(true);
});

test("the file ids a set of revisions altered are Breezy's (fileids_altered_by_revision_ids), for every revision, pair and all", async () => {
  const repositories = [INVENTORY_TREE, INVENTORY_STACKED];
  const out = execFileSync('/usr/bin/python3', ['-c', BREEZY_ALTERED, fx.fixtures, ...repositories], { env: fx.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const expected = JSON.parse(out) as Record<string, { revisions: string[]; altered: [string, string][] }[]>;
  let nonEmpty = 0;
  for (const name of repositories) {
    const inventories = await RepositoryInventories.open(repositoryDir(name));
    for (const { revisions, altered } of expected[name]) {
      const ours = [...(await inventories.alteredFileIds(revisions))].flatMap(([fileId, revs]) => [...revs].map((r) => [fileId, r]));
      expect({ name, revisions, altered: ours.sort() }).toEqual({ name, revisions, altered });
      if (altered.length > 0) nonEmpty++;
    }
  }
  // 5 + 10 + 1 sets in tree, 2 + 1 + 1 in tree-stacked; empty only where every entry is in a
  // parent outside the set: the merge alone, and the merge with the first revision.
  expect([expected[INVENTORY_TREE].length, expected[INVENTORY_STACKED].length]).toEqual([16, 4]);
  expect(nonEmpty).toBe(16 + 4 - 2);
}, 60_000);

test('a revision the repository has no inventory of is null, or refused in a set', async () => {
  const inventories = await RepositoryInventories.open(repositoryDir(INVENTORY_TREE));
  expect(await inventories.xmlChunks('no-such-revision')).toBeNull();
  expect(await inventories.xmlChunks('')).toBeNull();
  expect(inventories.has('no-such-revision')).toBe(false);
  expect(inventories.has(ODD_REVISION_ID)).toBe(true);
  await expect(inventories.alteredFileIds([ODD_REVISION_ID, 'no-such-revision'])).rejects.toThrow(NoSuchInventoryError);
});

test('a map past the limits is refused with InventoryTooLargeError, not walked', async () => {
  const last = breezy[INVENTORY_TREE].find((r) => r.id === ODD_REVISION_ID) as BreezyInventory;
  const limits = { maxDepth: 32, maxPages: 1_000, maxEntries: 10_000 };
  expect(await (await RepositoryInventories.open(repositoryDir(INVENTORY_TREE), limits)).xmlChunks(last.id)).toHaveLength(last.chunks);
  for (const [tighter, message] of [
    [{ maxDepth: 1 }, /deeper than 1 pages/],
    [{ maxPages: 2 }, /more than 2 pages/],
    [{ maxEntries: 100 }, /more than 100 entries/],
  ] as const) {
    const inventories = await RepositoryInventories.open(repositoryDir(INVENTORY_TREE), { ...limits, ...tighter });
    await expect(inventories.xmlChunks(last.id)).rejects.toThrow(InventoryTooLargeError);
    await expect(inventories.xmlChunks(last.id)).rejects.toThrow(message);
  }
});
