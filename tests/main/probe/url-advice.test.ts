import { expect, test } from 'vitest';
import { adviseUrl } from '../../../src/main/probe/url-advice';
import { isV1BadRequest, markerOffset, showBytes } from '../../../src/main/probe/remote-diagnosis';

test('ssh:// and sftp:// point at bzr+ssh://', () => {
  expect(adviseUrl('ssh://me@host/srv/x')?.fix).toBe('use bzr+ssh://me@host/srv/x to run the smart server over SSH');
  expect(adviseUrl('sftp://host/srv/x')?.fix).toBe('use bzr+ssh://host/srv/x to run the smart server over SSH');
});

test('Launchpad: bazaar.launchpad.net and lp: URLs', () => {
  expect(adviseUrl('bzr+ssh://bazaar.launchpad.net/~me/p/trunk')?.verdict).toMatch(/September 2025/);
  expect(adviseUrl('bzr://BAZAAR.LAUNCHPAD.NET/~me/p/trunk')?.verdict).toMatch(/September 2025/);
  expect(adviseUrl('lp:project')?.verdict).toMatch(/September 2025/);
  expect(adviseUrl('bzr://example.org/trunk')).toBeNull();
});

test('reading what came back', () => {
  const junk = Buffer.from('motd\nbzr message 3 (bzr 1.6)\n');
  expect(markerOffset(junk)).toBe(5);
  expect(markerOffset(Buffer.from('bzr message 3 (bzr 1.6)\n'))).toBe(0);
  expect(markerOffset(Buffer.from('hello'))).toBe(-1);
  expect(isV1BadRequest(Buffer.from("error\x01Generic bzr smart protocol error: bad request 'bzr message 3 (bzr 1.6)'\n"))).toBe(true);
  expect(showBytes(Buffer.from('hi\n'))).toBe('"hi\\n" hex 68690a');
  expect(showBytes(Uint8Array.of(0xff, 0))).toBe('(not text) hex ff00');
});
