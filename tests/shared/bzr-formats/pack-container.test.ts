/** Our pack containers are read by Breezy's own ContainerReader, names and bodies as written. */
import { describe, expect, it } from 'vitest';
import { bytesRecord, bytesRecordHeader, containerBegin, containerEnd } from '../../../src/shared/bzr-formats/pack-container';
import { runBreezyPython } from '../../support/breezy-python';

const READ_BACK = `
import json, sys
from io import BytesIO
from breezy.bzr import pack
data = bytes.fromhex(json.load(sys.stdin))
records = []
for names, read_bytes in pack.ContainerReader(BytesIO(data)).iter_records():
    records.append([[[n.hex() for n in name] for name in names], read_bytes(None).hex()])
print(json.dumps(records))
`;

const b = (s: string) => Buffer.from(s, 'latin1');

describe('pack container writer (breezy/bzr/pack.py)', () => {
  it('writes what ContainerReader reads back', () => {
    const records: [Buffer[][], Buffer][] = [
      [[[b('info')]], b('d12:storage_kind6:headere')],
      [[], b('')],
      [[[b('file'), b('id\xff'), b('rev')], [b('second')]], Buffer.from([0, 10, 13, 255])],
      [[], Buffer.alloc(150_000, 7)],
    ];
    const container = Buffer.concat([containerBegin(), ...records.map(([names, body]) => bytesRecord(body, names)), containerEnd()]);
    const read = runBreezyPython<[string[][], string][]>(READ_BACK, container.toString('hex'));
    expect(read).toEqual(records.map(([names, body]) => [names.map((n) => n.map((e) => e.toString('hex'))), body.toString('hex')]));
  });

  it('has the exact header layout', () => {
    expect(Buffer.from(containerBegin()).toString()).toBe('Bazaar pack format 1 (introduced in 0.18)\n');
    expect(Buffer.from(bytesRecordHeader(3, [[b('a'), b('b')], [b('c')]])).toString()).toBe('B3\na\x00b\nc\n\n');
    expect(Buffer.from(containerEnd()).toString()).toBe('E');
  });

  it('refuses a name with whitespace, as Breezy does', () => {
    expect(() => bytesRecordHeader(0, [[b('a b')]])).toThrow(/whitespace/);
    expect(() => bytesRecordHeader(0, [[b('a\tb')]])).toThrow(/whitespace/);
  });
});
