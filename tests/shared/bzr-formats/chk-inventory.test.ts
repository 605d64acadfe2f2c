/**
 * The CHK inventory entry parser and the inventory XML writer against Breezy's own: an
 * inventory of every kind (a tree reference too, which 2a repositories cannot hold),
 * with XML specials, non-ASCII and astral characters in names, ids and targets, whose
 * entries Breezy serialises as id_to_entry values (CHKInventory._entry_to_bytes) and whose
 * XML it writes (chk_bencode_serializer.write_inventory_to_chunks). Then the refusals of
 * malformed root texts, entries and trees.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, expect, test } from 'vitest';
import { BadInventoryError, inventoryXmlChunks, parseInventoryEntry, parseInventoryRoot, type InventoryEntry } from '../../../src/shared/bzr-formats/chk-inventory';
import { requireTool } from '../../support/test-hosts';

const BREEZY_INVENTORY = `
import base64, json, sys, breezy
with breezy.initialize():
    from breezy.bzr import inventory, chk_serializer
    rev = 'rev-&<>"\\'-\\u00e9-\\U0001d11e'.encode('utf-8')
    inv = inventory.Inventory(root_id='root-\\u00e9'.encode('utf-8'), revision_id=rev)
    inv.root.revision = b'rev-root'
    def add(entry, revision=b'rev-1'):
        entry.revision = revision
        inv.add(entry)
        return entry
    sub = add(inventory.InventoryDirectory(b'dir-<sub>', 'sub', inv.root.file_id))
    deeper = add(inventory.InventoryDirectory(b'dir-deeper', 'deeper', b'dir-<sub>'), rev)
    for i, name in enumerate(['b', 'B', '\\u00e9', '\\uff21', '\\U0001d11e', 'a&b <c> "q" \\'s\\'', 'z']):
        f = inventory.InventoryFile(('file-%d-"\\u00e9"' % i).encode('utf-8'), name, inv.root.file_id)
        f.text_sha1 = b'%040x' % i
        f.text_size = i * 1000
        f.executable = i % 2 == 0
        add(f)
    f = inventory.InventoryFile(b'file-deep', 'deep.txt', b'dir-deeper')
    f.text_sha1 = b'da39a3ee5e6b4b0d3255bfef95601890afd80709'
    f.text_size = 0
    f.executable = False
    add(f)
    link = inventory.InventoryLink(b'link-1', 'link \\u00e9', b'dir-<sub>')
    link.symlink_target = '../tar"get/\\u00e9/\\U0001d11e&<>'
    add(link)
    add(inventory.TreeReference(b'tree-1', 'nested', b'dir-<sub>', reference_revision='ref-&-\\u00e9'.encode('utf-8')))
    add(inventory.InventoryDirectory(b'dir-empty', 'empty', b'dir-<sub>'))
    chk = inventory.CHKInventory(None)
    entries = [base64.b64encode(chk._entry_to_bytes(ie)).decode() for _, ie in inv.iter_entries()]
    chunks = chk_serializer.chk_bencode_serializer.write_inventory_to_chunks(inv)
    json.dump({'entries': entries, 'root': inv.root.file_id.decode('utf-8'), 'revision': rev.decode('utf-8'),
               'chunks': [base64.b64encode(c).decode() for c in chunks]}, sys.stdout)
`;

let breezy: { entries: string[]; root: string; revision: string; chunks: string[] };
beforeAll(() => {
  requireTool('/usr/bin/python3', 'python3-breezy');
  breezy = JSON.parse(execFileSync('/usr/bin/python3', ['-c', BREEZY_INVENTORY], { encoding: 'utf8' }));
});

const entriesFromBreezy = () => breezy.entries.map((e) => parseInventoryEntry(Buffer.from(e, 'base64').toString('latin1')));

test("every kind of entry, odd names and ids: Breezy's XML chunk for chunk, whatever order the map gave the entries in", () => {
  const expected = breezy.chunks.map((c) => Buffer.from(c, 'base64').toString('utf8'));
  expect(expected.length).toBe(2 + 13 + 1);
  const entries = entriesFromBreezy();
  for (const order of [entries, [...entries].reverse(), [...entries.slice(7), ...entries.slice(0, 7)]]) {
    const chunks = inventoryXmlChunks(breezy.revision, breezy.root, order).map((c) => Buffer.from(c).toString('utf8'));
    expect(chunks).toEqual(expected);
  }
  const kinds = new Set(entries.map((e) => e.kind));
  expect([...kinds].sort()).toEqual(['directory', 'file', 'symlink', 'tree-reference']);
});

test('an entry parses to its fields as CHKInventory._bytes_to_entry reads them', () => {
  const byId = new Map(entriesFromBreezy().map((e) => [e.fileId, e]));
  expect(byId.get('root-\u00e9')).toEqual({ kind: 'directory', fileId: 'root-\u00e9', parentId: null, name: '', revision: 'rev-root' });
  expect(byId.get('file-2-"\u00e9"')).toEqual({ kind: 'file', fileId: 'file-2-"\u00e9"', parentId: 'root-\u00e9', name: '\u00e9', revision: 'rev-1', textSha1: '2'.padStart(40, '0'), textSize: 2000, executable: true });
  expect(byId.get('link-1')).toMatchObject({ kind: 'symlink', parentId: 'dir-<sub>', name: 'link \u00e9', symlinkTarget: '../tar"get/\u00e9/\u{1d11e}&<>' });
  expect(byId.get('tree-1')).toMatchObject({ kind: 'tree-reference', name: 'nested', referenceRevision: 'ref-&-\u00e9' });
});

const ROOT_TEXT = 'chkinventory:\nsearch_key_name: hash-255-way\nroot_id: TREE_ROOT\nparent_id_basename_to_file_id: sha1:aa\nrevision_id: rev-1\nid_to_entry: sha1:bb\n';

test('a root text parses to its maps, root and revision; a plain one may name no search key', () => {
  expect(parseInventoryRoot(Buffer.from(ROOT_TEXT), 'rev-1')).toEqual({ revisionId: 'rev-1', rootId: 'TREE_ROOT', searchKeyName: 'hash-255-way', idToEntry: 'sha1:bb', parentIdBasenameToFileId: 'sha1:aa' });
  const plain = ROOT_TEXT.replace('search_key_name: hash-255-way\n', '');
  expect(parseInventoryRoot(Buffer.from(plain), 'rev-1').searchKeyName).toBe('plain');
});

test.each([
  ['no final newline', ROOT_TEXT.slice(0, -1), /newline/],
  ['another signature', ROOT_TEXT.replace('chkinventory:', 'chkinventory2:'), /not a CHK inventory/],
  ['an unknown key', `${ROOT_TEXT}colour: blue\n`, /unknown key/],
  ['a line with no separator', `${ROOT_TEXT}nonsense\n`, /unknown key/],
  ['a key twice', `${ROOT_TEXT}root_id: other\n`, /duplicate key in inventory: root_id/],
  ['no id_to_entry', ROOT_TEXT.replace('id_to_entry: sha1:bb\n', ''), /no id_to_entry/],
  ['no parent_id_basename_to_file_id', ROOT_TEXT.replace('parent_id_basename_to_file_id: sha1:aa\n', ''), /no parent_id_basename_to_file_id/],
  ['a map that is no sha1 key', ROOT_TEXT.replace('id_to_entry: sha1:bb', 'id_to_entry: bb'), /sha1 keys/],
  ['an unknown search key', ROOT_TEXT.replace('hash-255-way', 'hash-7-way'), /unknown search key/],
  ["another revision's inventory", ROOT_TEXT.replace('rev-1', 'rev-2'), /inventory is of "rev-2", not "rev-1"/],
])('a root text with %s is refused', (_what, text, message) => {
  expect(() => parseInventoryRoot(Buffer.from(text), 'rev-1')).toThrow(BadInventoryError);
  expect(() => parseInventoryRoot(Buffer.from(text), 'rev-1')).toThrow(message);
});

test.each([
  ['an unknown kind', 'link: id\nparent\nname\nrev', /not a serialised inventory entry/],
  ['a file without its executable flag', 'file: id\nparent\nname\nrev\nsha\n12', /no executable flag/],
  ['a symlink without a target', 'symlink: id\nparent\nname\nrev', /no symlink target/],
  ['a directory without a revision', 'dir: id\nparent\nname', /no revision/],
  ['a size that is no number', 'file: id\nparent\nname\nrev\nsha\n-1\nN', /bad text size/],
  ['a name that is no UTF-8', 'dir: id\nparent\nna\xffme\nrev', /name is not UTF-8/],
])('an entry with %s is refused', (_what, value, message) => {
  expect(() => parseInventoryEntry(value)).toThrow(BadInventoryError);
  expect(() => parseInventoryEntry(value)).toThrow(message);
});

const dir = (fileId: string, parentId: string | null, name: string): InventoryEntry => ({ kind: 'directory', fileId, parentId, name, revision: 'r' });

test.each([
  ['no entry for its root', [dir('d', 'root', 'd')], /no entry for its root/],
  ['a root inside itself', [dir('root', 'root', 'x')], /inside itself/],
  ['two entries of one name in a directory', [dir('root', null, ''), dir('a', 'root', 'same'), dir('b', 'root', 'same')], /two entries named "same"/],
])('a tree with %s is refused', (_what, entries, message) => {
  expect(() => inventoryXmlChunks('r', 'root', entries)).toThrow(BadInventoryError);
  expect(() => inventoryXmlChunks('r', 'root', entries)).toThrow(message);
});

test('entries not reachable from the root are left out, as from Breezy’s walk of the root’s children', () => {
  const xml = inventoryXmlChunks('r', 'root', [dir('root', null, ''), dir('a', 'root', 'a'), dir('lost', 'nowhere', 'lost'), dir('loop', 'loop', 'loop')]);
  expect(xml.map((c) => Buffer.from(c).toString('utf8'))).toEqual([
    '<inventory format="10" revision_id="r">\n',
    '<directory file_id="root" name="" revision="r" />\n',
    '<directory file_id="a" name="a" parent_id="root" revision="r" />\n',
    '</inventory>\n',
  ]);
});
