import { expect, test } from 'vitest';
import { isAllowedExternalLink } from '../../../src/main/app/external-links';

test('only https links to the documentation hosts open in the browser', () => {
  expect(isAllowedExternalLink('https://www.breezy-vcs.org/doc/en/')).toBe(true);
  expect(isAllowedExternalLink('https://github.com/breezy-team/breezy')).toBe(true);
  for (const url of [
    'http://www.breezy-vcs.org/',
    'file:///etc/passwd',
    'smb://evil/share',
    'ms-msdt:/id',
    'https://evil.example/',
    'https://github.com.evil.example/',
    'https://user:pw@github.com/',
    'https://github.com:8443/',
    'javascript:alert(1)',
    'not a url',
  ]) {
    expect(isAllowedExternalLink(url), url).toBe(false);
  }
});
