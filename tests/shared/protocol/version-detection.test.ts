import { describe, expect, it } from 'vitest';
import { detectRequestVersion } from '../../../src/shared/protocol';
import { text } from './support/naive';

describe('detectRequestVersion', () => {
  it.each([
    ['bzr message 3 (bzr 1.6)\n\0\0', 3],
    ['bzr request 2\nhello\n', 2],
    ['hello\n', 1],
    ['get\x01/x\n', 1],
    ['bzr message 3 (bzr 1.', 'need-more'],
    ['hel', 'need-more'],
    ['', 'need-more'],
    ['bzr message 4\n', 1],
  ])('%j → %s', (prefix, version) => {
    expect(detectRequestVersion(text(prefix))).toBe(version);
  });
});
