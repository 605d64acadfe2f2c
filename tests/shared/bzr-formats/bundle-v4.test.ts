/** Our v4 bundles are read by Breezy's own reader (read_bundle, BundleReader.iter_records). */
import { describe, expect, it } from 'vitest';
import { BundleV4Writer, encodeBundleName } from '../../../src/shared/bzr-formats/bundle-v4';
import { READ_BUNDLE, runBreezyPython } from '../../support/breezy-python';


/** All of the writer's steps' bytes, in order. */
const drain = (...steps: Iterable<Uint8Array>[]) => Buffer.concat(steps.flatMap((step) => [...step]));
const b = (s: string) => new TextEncoder().encode(s);
const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');

describe('v4 bundle writer (bundle/serializer/v4.py BundleWriter)', () => {
  it('names records as encode_name does', () => {
    expect(Buffer.from(encodeBundleName('file', 'rev/1', 'file/id')).toString()).toBe('file/rev//1/file//id');
    expect(Buffer.from(encodeBundleName('info', null)).toString()).toBe('info');
    expect(Buffer.from(encodeBundleName('revision', 'r')).toString()).toBe('revision/r');
    expect(() => encodeBundleName('file', 'r')).toThrow();
    expect(() => encodeBundleName('inventory', 'r', 'f')).toThrow();
    expect(() => encodeBundleName('info', 'r')).toThrow();
  });

  it('compresses at most one bzip2 block per step', () => {
    const w = new BundleV4Writer();
    const steps = [...w.begin(), ...w.addFulltext('revision', 'r', new Uint8Array(450_000).fill(7), []), ...w.end()];
    // header, container start, metadata record, 5 slices of the body record, E, stream end
    expect(steps.length).toBe(10);
  });

  it('writes a bundle Breezy reads back, record by record', () => {
    const w = new BundleV4Writer();
    const big = new Uint8Array(300_000).map((_, i) => (i * 13) % 251);
    const bytes = drain(
      w.begin(),
      w.addInfo('10', true),
      w.addMultiParent('file', 'rév/1', 'fïle-id', b('i 1\nhello\n\n'), 'aa'.repeat(20), []),
      w.addMultiParent('inventory', 'rév/1', null, big, 'bb'.repeat(20), ['p1', 'ghost']),
      w.addFulltext('revision', 'rév/1', b('l6:formati10ee'), ['null:']),
      w.addFulltext('signature', 'rév/1', b('sig'), ['null:']),
      w.end(),
    );
    expect(Buffer.from(bytes.subarray(0, 30)).toString()).toBe('# Bazaar revision bundle v4\n#\n');
    const records = runBreezyPython<unknown[]>(READ_BUNDLE, Buffer.from(bytes).toString('hex'));
    expect(records).toEqual([
      ['info', null, null, { serializer: '10', supports_rich_root: 1, storage_kind: 'header' }, null],
      ['file', 'rév/1', 'fïle-id', { parents: [], storage_kind: 'mpdiff', sha1: 'aa'.repeat(20) }, hex(b('i 1\nhello\n\n'))],
      ['inventory', 'rév/1', null, { parents: ['p1', 'ghost'], storage_kind: 'mpdiff', sha1: 'bb'.repeat(20) }, hex(big)],
      ['revision', 'rév/1', null, { parents: ['null:'], storage_kind: 'fulltext' }, hex(b('l6:formati10ee'))],
      ['signature', 'rév/1', null, { parents: ['null:'], storage_kind: 'fulltext' }, hex(b('sig'))],
    ]);
  }, 60_000);
});
