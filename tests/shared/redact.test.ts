import { expect, test } from 'vitest';
import { redactUrlSecrets } from '../../src/shared/redact';

test('the password of every URL in a text becomes ***, the rest stays', () => {
  expect(redactUrlSecrets('bzr+ssh://joe:s3cret@host:2222/srv/repo')).toBe('bzr+ssh://joe:***@host:2222/srv/repo');
  expect(redactUrlSecrets('cannot reach bzr+ssh://joe:pw@a/x, nor bzr://u:v@b:4155/')).toBe('cannot reach bzr+ssh://joe:***@a/x, nor bzr://u:***@b:4155/');
  expect(redactUrlSecrets('bzr+ssh://joe:p@ss@host/x')).toBe('bzr+ssh://joe:***@host/x');
  expect(redactUrlSecrets('bzr+ssh://joe:%40pw%3A@host/x')).toBe('bzr+ssh://joe:***@host/x');
  expect(redactUrlSecrets('bzr+ssh://:pw@host/x')).toBe('bzr+ssh://:***@host/x');
});

test('URLs without a password are unchanged', () => {
  for (const text of ['bzr+ssh://joe@host/x', 'bzr://host:4155/a:b@c', 'bzr://[::1]:4155/', 'mail joe@host: ok', 'bzr+ssh://host/x?u=a:b@c']) {
    expect(redactUrlSecrets(text)).toBe(text);
  }
});
