import { expect, test } from 'vitest';
import { parseSmartUrl, remotePathOf } from '../../../src/main/client/smart-url';

test('bzr:// defaults to port 4155; the remote path is relative with a trailing slash', () => {
  expect(parseSmartUrl('bzr://example.org/trunk')).toMatchObject({ scheme: 'bzr', host: 'example.org', port: 4155, explicitPort: false, path: '/trunk', remotePath: 'trunk/' });
  expect(parseSmartUrl('bzr://127.0.0.1:4000/')).toMatchObject({ port: 4000, remotePath: '.' });
});

test('bzr+ssh:// defaults to port 22, with user, password and escaped paths', () => {
  expect(parseSmartUrl('bzr+ssh://me:pw@[::1]:2222/home/me/caf%C3%A9/')).toMatchObject({
    scheme: 'bzr+ssh', host: '::1', port: 2222, username: 'me', password: 'pw', path: '/home/me/café/', remotePath: 'home/me/café/',
  });
  expect(parseSmartUrl('bzr+ssh://host/srv').port).toBe(22);
});

test('other schemes are refused, with a hint for ssh://', () => {
  expect(() => parseSmartUrl('ssh://host/x')).toThrow(/did you mean bzr\+ssh:\/\/host\/x/);
  expect(() => parseSmartUrl('http://host/x')).toThrow(/unsupported URL scheme 'http:\/\/'/);
  expect(() => parseSmartUrl('not a url')).toThrow(/not a URL/);
});

test('remotePathOf matches what brz sends (captures: "trunk/", ".")', () => {
  expect(remotePathOf('/trunk')).toBe('trunk/');
  expect(remotePathOf('/no/such/café/')).toBe('no/such/café/');
  expect(remotePathOf('/')).toBe('.');
});
