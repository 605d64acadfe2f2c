/**
 * The CHK page parser against pages Breezy's own CHKMap wrote (chk_map.CHKMap.from_dict in
 * a group-compress store): two-element keys with multi-line and empty values under plain
 * search keys, and one-element keys under hash-255-way search keys (raw bytes, \0 among
 * them), both small enough pages to need internal nodes; every page must read as Breezy's
 * deserialiser reads it. Then malformed pages, each refused with BadChkPageError.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, expect, test } from 'vitest';
import { BadChkPageError, parseChkPage } from '../../../src/shared/bzr-formats/chk-map';
import { requireTool } from '../../support/test-hosts';

// Every page of two maps, with what Breezy's deserialiser makes of it (byte strings as base64).
const BREEZY_PAGES = `
import base64, json, sys, breezy
with breezy.initialize():
    from breezy.bzr import chk_map, groupcompress
    from breezy.transport import get_transport
    b64 = lambda b: base64.b64encode(b).decode()
    store = groupcompress.make_pack_factory(False, False, 1)(get_transport('memory:///'))
    plain = {(b'dir-%d' % (i % 4), ('name \\u00e9 %03d' % i).encode('utf-8')): (b'line one\\nline two %d' % i if i % 3 else b'') for i in range(40)}
    hashed = {(b'file-id-%04d' % i,): b'value %d\\n\\nafter a blank line' % i for i in range(300)}
    pages = []
    for items, width, name in ((plain, 2, b'plain'), (hashed, 1, b'hash-255-way')):
        search = chk_map.search_key_registry.get(name)
        root = chk_map.CHKMap.from_dict(store, items, maximum_size=400, key_width=width, search_key_func=search)
        todo = [root]
        while todo:
            key = todo.pop()
            data = next(store.get_record_stream([key], 'unordered', True)).get_bytes_as('fulltext')
            node = chk_map._deserialise(data, key, search)
            page = {'bytes': b64(data), 'width': node._key_width, 'length': node._len, 'maximum': node._maximum_size}
            if isinstance(node, chk_map.InternalNode):
                page['children'] = sorted([b64(prefix), child[0].decode()] for prefix, child in node._items.items())
                todo.extend(child for child in node._items.values())
            else:
                page['items'] = sorted([[b64(e) for e in k], b64(v)] for k, v in node._items.items())
            pages.append(page)
    json.dump(pages, sys.stdout)
`;

interface BreezyPage {
  bytes: string;
  width: number;
  length: number;
  maximum: number;
  children?: [string, string][];
  items?: [string[], string][];
}

const b64 = (byteString: string) => Buffer.from(byteString, 'latin1').toString('base64');

let pages: BreezyPage[];
beforeAll(() => {
  requireTool('/usr/bin/python3', 'python3-breezy');
  pages = JSON.parse(execFileSync('/usr/bin/python3', ['-c', BREEZY_PAGES], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }));
});

test("every page of Breezy's maps reads as Breezy's deserialiser reads it", () => {
  let leaves = 0;
  let internal = 0;
  let nulInPrefix = false;
  for (const expected of pages) {
    const page = parseChkPage(Buffer.from(expected.bytes, 'base64'));
    expect({ width: page.keyWidth, length: page.length, maximum: page.maximumSize }).toEqual({ width: expected.width, length: expected.length, maximum: expected.maximum });
    if (page.kind === 'internal') {
      internal++;
      nulInPrefix ||= page.children.some((c) => c.prefix.includes('\0'));
      expect(page.children.map((c) => [b64(c.prefix), c.key]).sort()).toEqual(expected.children);
    } else {
      leaves++;
      expect(page.items.map((item) => [item.key.map(b64), b64(item.value)]).sort()).toEqual(expected.items);
    }
  }
  expect(internal).toBeGreaterThanOrEqual(2);
  expect(leaves).toBeGreaterThanOrEqual(10);
  expect(nulInPrefix).toBe(true);
});

test('every truncation of a leaf page is refused', () => {
  const leaf = Buffer.from((pages.find((p) => p.items) as BreezyPage).bytes, 'base64');
  for (let end = 0; end < leaf.length; end++) expect(() => parseChkPage(leaf.subarray(0, end)), `cut at ${end}`).toThrow(BadChkPageError);
});

test.each([
  ['neither signature', 'chkroot:\n10\n1\n0\n\n', /not a CHK page/],
  ['no final newline', 'chkleaf:\n10\n1\n1\n\nk\x001\nv', /does not end in a newline/],
  ['a truncated header', 'chkleaf:\n10\n1\n', /truncated/],
  ['a size that is no number', 'chkleaf:\n1e3\n1\n0\n\n', /bad maximum size/],
  ['key width 0', 'chkleaf:\n10\n0\n0\n\n', /key width is 0/],
  ['an item of too few key elements', 'chkleaf:\n10\n2\n1\n\nk\x001\nv\n', /1 key elements, the page says 2/],
  ['a value line count that is no number', 'chkleaf:\n10\n1\n1\n\nk\x00x\nv\n', /bad value line count/],
  ['a value running past the page', 'chkleaf:\n10\n1\n1\n\nk\x003\nv\n', /runs past the page/],
  ['fewer items than its header says', 'chkleaf:\n10\n1\n2\n\nk\x001\nv\n', /holds 1 items, its header says 2/],
  ['one key twice', 'chkleaf:\n10\n1\n2\nk\n\x001\nv\n\x001\nw\n', /one key twice/],
  ['an internal node without children', 'chknode:\n10\n1\n5\n\n', /no children/],
  ['a child line without a key', 'chknode:\n10\n1\n5\n\nprefix\n', /no child key/],
  ['an empty child key', 'chknode:\n10\n1\n5\n\nprefix\x00\n', /empty child key/],
  ['one prefix twice', 'chknode:\n10\n1\n5\np\n\x00sha1:a\n\x00sha1:b\n', /one prefix twice/],
])('a page with %s is refused', (_what, text, message) => {
  const bytes = Buffer.from(text, 'latin1');
  expect(() => parseChkPage(bytes)).toThrow(BadChkPageError);
  expect(() => parseChkPage(bytes)).toThrow(message);
});

test('an empty leaf and a leaf with a common prefix read as their items', () => {
  expect(parseChkPage(Buffer.from('chkleaf:\n0\n1\n0\n\n'))).toEqual({ kind: 'leaf', maximumSize: 0, keyWidth: 1, length: 0, items: [] });
  const leaf = parseChkPage(Buffer.from('chkleaf:\n99\n2\n2\nfile-\na\x00x\x002\none\ntwo\nb\x00y\x000\n'));
  expect(leaf).toMatchObject({ kind: 'leaf', items: [{ key: ['file-a', 'x'], value: 'one\ntwo' }, { key: ['file-b', 'y'], value: '' }] });
});
