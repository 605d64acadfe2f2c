/**
 * Inventories read out of 2a repositories (CHK root texts and id_to_entry pages) and written
 * as Breezy's inventory XML: for every revision of real fixture repositories, the chunks
 * must be byte for byte what Breezy's own serializer writes of the inventory it reads
 * (`repo._serializer.write_inventory_to_chunks(repo.get_inventory(revid))`).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { RepositoryInventories } from '../../../../../src/main/server/backends/builtin/chk-inventories';
import { useBrzFixtures } from '../../../../support/brz-fixtures';
import { INVENTORY_TREE, makeInventoryFixtures, ODD_REVISION_ID } from '../../../../support/brz-inventory-fixtures';

// Prints, per branch given, each revision of its repository with Breezy's inventory XML
// (base64), the XML's chunk count, and whether id_to_entry's root page is an internal node.
const BREEZY_INVENTORIES = `
import base64, json, sys, breezy
with breezy.initialize():
    import breezy.bzr
    from breezy.branch import Branch
    from breezy.bzr import chk_map
    out = {}
    for path in sys.argv[1:]:
        repo = Branch.open(path).repository
        with repo.lock_read():
            revisions = []
            for revid in sorted(repo.all_revision_ids()):
                inv = repo.get_inventory(revid)
                chunks = repo._serializer.write_inventory_to_chunks(inv)
                inv.id_to_entry._ensure_root()
                revisions.append({'id': revid.decode('utf-8'), 'chunks': len(chunks), 'xml': base64.b64encode(b''.join(chunks)).decode(),
                                  'internal': isinstance(inv.id_to_entry._root_node, chk_map.InternalNode)})
            out[path] = revisions
    json.dump(out, sys.stdout)
`;

interface BreezyInventory {
  id: string;
  chunks: number;
  xml: string;
  internal: boolean;
}

/** Branches whose repositories are swept: the common fixtures' and the inventory tree's. */
const BRANCHES = ['standalone', 'shared/trunk', INVENTORY_TREE];

const fx = useBrzFixtures('hpss-chk-inventories-', makeInventoryFixtures);
let breezy: Record<string, BreezyInventory[]>;
beforeAll(() => {
  const out = execFileSync('/usr/bin/python3', ['-c', BREEZY_INVENTORIES, ...BRANCHES.map((b) => join(fx.fixtures, b))], { env: fx.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  breezy = JSON.parse(out) as Record<string, BreezyInventory[]>;
}, 60_000);

const repositoryOf = (branch: string) => join(fx.fixtures, branch === 'shared/trunk' ? 'shared' : branch, '.bzr/repository');

test("every revision's inventory XML is Breezy's, byte for byte and chunk for chunk", async () => {
  let compared = 0;
  for (const branch of BRANCHES) {
    const inventories = await RepositoryInventories.open(repositoryOf(branch));
    for (const expected of breezy[join(fx.fixtures, branch)]) {
      const chunks = await inventories.xmlChunks(expected.id);
      expect(chunks, `${branch} ${expected.id}`).not.toBeNull();
      const xml = Buffer.concat(chunks ?? []);
      expect({ branch, revision: expected.id, xml: xml.toString('utf8') }).toEqual({ branch, revision: expected.id, xml: Buffer.from(expected.xml, 'base64').toString('utf8') });
      expect(xml.equals(Buffer.from(expected.xml, 'base64'))).toBe(true);
      expect(chunks?.length).toBe(expected.chunks);
      compared++;
    }
  }
  expect(compared).toBeGreaterThanOrEqual(4 + 5);
}, 60_000);

test('the inventory fixtures cover what they claim: internal CHK pages, a merge, the odd ids, every kind', () => {
  const tree = breezy[join(fx.fixtures, INVENTORY_TREE)];
  expect(tree.map((r) => r.internal)).toEqual(tree.map(() => true));
  expect(tree.length).toBe(5);
  const xml = tree.map((r) => Buffer.from(r.xml, 'base64').toString('utf8')).join('');
  for (const needle of ['executable="yes"', '<symlink ', 'name="a&amp;b &lt;c&gt; &quot;q&quot; &apos;s&apos;.txt"', 'file_id="id-&amp;&lt;&gt;&quot;&apos;-&#233;-&#119070;"', '&#257; renamed', '\u{1d11e} clef']) {
    expect(xml).toContain(needle);
  }
  expect(tree.some((r) => r.id === ODD_REVISION_ID)).toBe(true);
});

test('a revision the repository has no inventory of is null', async () => {
  const inventories = await RepositoryInventories.open(repositoryOf(INVENTORY_TREE));
  expect(await inventories.xmlChunks('no-such-revision')).toBeNull();
  expect(await inventories.xmlChunks('')).toBeNull();
});
