import { homedir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { expandHome } from '../../../src/main/medium/ssh/expand-home';

test('~ and ~/… become the home folder; anything else is left as typed', () => {
  expect(expandHome('~')).toBe(homedir());
  expect(expandHome('~/.ssh/id_ed25519')).toBe(join(homedir(), '.ssh/id_ed25519'));
  for (const p of ['/etc/ssh/key', 'rel/key', '~other/.ssh/key', 'a~/b', '']) expect(expandHome(p)).toBe(p);
  expect(expandHome(undefined)).toBeUndefined();
});
