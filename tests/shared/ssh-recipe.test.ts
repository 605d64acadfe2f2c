import { expect, test } from 'vitest';
import { brzSshRecipe, recipeDir } from '../../src/shared/ssh-recipe';

test('the recipe pins the one host key in a known_hosts of its own and points BRZ_SSH at a wrapper', () => {
  const line = '[127.0.0.1]:40123 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample';
  const recipe = brzSshRecipe('bzr+ssh://127.0.0.1:40123/', line);
  expect(recipeDir(40123)).toBe('/tmp/hpss-ssh-40123');
  expect(recipe.split('\n')).toEqual([
    'mkdir -p /tmp/hpss-ssh-40123',
    `printf '%s\\n' '${line}' > /tmp/hpss-ssh-40123/known_hosts`,
    `printf '%s\\n' '#!/bin/sh' 'exec ssh -o UserKnownHostsFile=/tmp/hpss-ssh-40123/known_hosts -o StrictHostKeyChecking=yes "$@"' > /tmp/hpss-ssh-40123/ssh`,
    'chmod +x /tmp/hpss-ssh-40123/ssh',
    'BRZ_SSH=/tmp/hpss-ssh-40123/ssh brz log bzr+ssh://127.0.0.1:40123/',
  ]);
});
