import { expect, test } from 'vitest';
import { utf8Bytes } from '../../../src/shared/protocol';
import { EventBus } from '../../../src/main/bus/event-bus';
import { formatHpssCalls, subscribeDebugCounter } from '../../../src/main/client/debug-counter';
import { encodeReadvBody } from '../../../src/main/client/smart-client';
import { vfsNotAllowedMessage, vfsRefuser } from '../../../src/main/client/vfs-refuser';
import type { ClientMedium } from '../../../src/main/medium/client-medium';

// Breezy's texts, as its own code prints them (python3 -c 'from breezy.bzr.smart import medium; …').
test('VfsRefuser: Breezy\'s message, Python reprs included', () => {
  expect(vfsNotAllowedMessage('get', [utf8Bytes('/foo')])).toBe("VFS requests over the smart server are not allowed. Encountered: b'get', (b'/foo',).");
  expect(vfsNotAllowedMessage('readv', [utf8Bytes('/foo'), utf8Bytes('x')])).toBe(
    "VFS requests over the smart server are not allowed. Encountered: b'readv', (b'/foo', b'x').",
  );
  expect(vfsNotAllowedMessage('put', [Uint8Array.of(0x27, 0x5c, 0x00, 0xff)])).toContain("(b'\\'\\\\\\x00\\xff',)");
  const medium = {} as ClientMedium;
  expect(() => vfsRefuser({ method: 'get', args: [utf8Bytes('/x')], body: null, readvBody: null, medium })).toThrow(/Encountered: b'get'/);
  expect(() => vfsRefuser({ method: 'BzrDir.open_2.1', args: [], body: null, readvBody: null, medium })).not.toThrow();
  expect(() => vfsRefuser({ method: 'No.Such.Verb', args: [], body: null, readvBody: null, medium })).not.toThrow();
});

test('readv bodies: start,length lines without a trailing newline (protocol.py _serialise_offsets)', () => {
  expect(Buffer.from(encodeReadvBody([[0, 10], [24, 24], [100, 50], [880, 40]])).toString()).toBe('0,10\n24,24\n100,50\n880,40');
});

test('DebugCounter: one line per client medium that made calls, when it closes', () => {
  const bus = new EventBus();
  const lines: string[] = [];
  subscribeDebugCounter(bus, (l) => lines.push(l), (id) => `Medium(${id})`);
  bus.emit({ type: 'medium-opened', mediumId: 'm1', kind: 'tcp-client', role: 'client', peer: 'p' });
  bus.emit({ type: 'medium-opened', mediumId: 'm2', kind: 'tcp-server', role: 'server', peer: 'p' });
  bus.emit({ type: 'medium-opened', mediumId: 'm3', kind: 'tcp-client', role: 'client', peer: 'p' });
  bus.emit({ type: 'medium-closed', mediumId: 'm2', reason: 'x', calls: 5, vfsCalls: 1 });
  bus.emit({ type: 'medium-closed', mediumId: 'm3', reason: 'x', calls: 0, vfsCalls: 0 });
  bus.emit({ type: 'medium-closed', mediumId: 'm1', reason: 'x', calls: 4, vfsCalls: 2 });
  expect(lines).toEqual(['HPSS calls: 4 (2 vfs) Medium(m1)']);
  expect(formatHpssCalls(12, 3, 'X')).toBe('HPSS calls: 12 (3 vfs) X');
});
