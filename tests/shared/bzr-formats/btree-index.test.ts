/**
 * The B+Tree graph index reader against indexes Breezy's own builder wrote
 * (btree_index.BTreeBuilder): empty, one page, and deep enough for internal rows and many
 * leaf pages; every entry must equal what Breezy's reader lists (iter_all_entries).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BadIndexError, INDEX_PAGES_PER_STEP, parseBTreeHeader, readBTreeIndex, readBTreeIndexSteps } from '../../../src/shared/bzr-formats/btree-index';
import { requireTool } from '../../support/test-hosts';

// Writes DIR/NAME.idx with COUNT keys (2 ref lists, 1-element keys, non-ASCII) and
// DIR/NAME.json with what Breezy reads back from it.
const BUILD = `
import sys, json, breezy
with breezy.initialize():
    from breezy.bzr import btree_index
    from breezy.transport import get_transport
    d, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    b = btree_index.BTreeBuilder(reference_lists=2, key_elements=1)
    keys = [('rev-%06d-\\u00e9' % i).encode('utf-8') for i in range(count)]
    for i, k in enumerate(keys):
        parents = tuple((keys[j],) for j in (i - 1, i - 7) if j >= 0)
        # Values may hold any byte but \\n: a name with "binary" gets bytes that are not UTF-8.
        value = (b'\\xff\\x80 ' if 'binary' in name else b'') + b'%d %d' % (i * 100, 50 + i)
        b.add_node((k,), value, (parents, parents[:1]))
    t = get_transport(d)
    size = t.put_file(name + '.idx', b.finish())
    idx = btree_index.BTreeGraphIndex(t, name + '.idx', size)
    out = [[[x.decode('utf-8') for x in key], value.decode('latin1'), [[[e.decode('utf-8') for e in r] for r in refs] for refs in reflists]]
           for _, key, value, reflists in idx.iter_all_entries()]
    json.dump(out, open(d + '/' + name + '.json', 'w'))
`;

let dir: string;
beforeAll(() => {
  requireTool('/usr/bin/python3', 'python3-breezy');
  dir = mkdtempSync(join(tmpdir(), 'hpss-btree-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const inflate = (page: Uint8Array) => inflateSync(page, { finishFlush: 2 });

function build(name: string, count: number): { bytes: Buffer; expected: [string[], string, string[][][]][] } {
  execFileSync('/usr/bin/python3', ['-c', BUILD, dir, name, String(count)], { stdio: 'pipe' });
  return { bytes: readFileSync(join(dir, `${name}.idx`)), expected: JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) };
}

test.each([
  ['empty', 0],
  ['one page', 20],
  ['internal rows and many leaves', 30_000],
  ['binary values (not UTF-8)', 2_000],
])('%s (%i keys): every entry as Breezy reads it', (name, count) => {
  const { bytes, expected } = build(name.replace(/\W/g, '-'), count);
  const { header, entries } = readBTreeIndex(bytes, inflate);
  expect(header.count).toBe(count);
  if (count > 10_000) expect(header.rowLengths.length).toBeGreaterThan(1);
  const ours = entries.map((e) => [e.key, Buffer.from(e.value).toString('latin1'), e.refs]);
  expect(ours).toEqual(expected);
}, 60_000);

test('a file that is not an index, or is cut short, is a BadIndexError', () => {
  expect(() => parseBTreeHeader(Buffer.from('Bazaar pack-names v1\n'))).toThrow(BadIndexError);
  const { bytes } = build('cut', 500);
  expect(() => readBTreeIndex(bytes.subarray(0, 5000), inflate)).toThrow(BadIndexError);
  expect(() => parseBTreeHeader(bytes.subarray(0, 30))).toThrow(BadIndexError);
});

test('read as steps: a pause after each INDEX_PAGES_PER_STEP leaf pages, the same entries', () => {
  const { bytes } = build('steps', 30_000);
  const steps = readBTreeIndexSteps(bytes, inflate);
  let pauses = 0;
  let step = steps.next();
  for (; !step.done; step = steps.next()) pauses++;
  const leaves = step.value.header.rowLengths.at(-1) ?? 0;
  expect(leaves).toBeGreaterThan(2 * INDEX_PAGES_PER_STEP);
  expect(pauses).toBe(Math.floor(leaves / INDEX_PAGES_PER_STEP));
  expect(step.value.entries).toEqual(readBTreeIndex(bytes, inflate).entries);
}, 60_000);
