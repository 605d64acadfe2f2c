/**
 * The packaged app's fuses (electron-builder flips them in the binary at packaging):
 * every name is one electron-builder knows (a typo would be ignored silently by an
 * older schema check, so the names are checked against its own schema here), and the
 * values shut the doors that turn the app into a general Node runtime.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const REPO = resolve(__dirname, '../../..');

/** `KEY:` followed by indented `name: true|false` lines, as a record (a YAML subset enough here). */
function topLevelFlags(yml: string, key: string): Record<string, boolean> {
  const block = new RegExp(`^${key}:\\n((?:[ ]+\\w+: (?:true|false)\\n)+)`, 'm').exec(yml);
  if (!block) return {};
  return Object.fromEntries(block[1].trim().split('\n').map((line) => line.trim().split(': ')).map(([k, v]) => [k, v === 'true']));
}

test('electron-builder.yml sets the fuses that lock the packaged binary', () => {
  const yml = readFileSync(join(REPO, 'electron-builder.yml'), 'utf8');
  const config = { electronFuses: topLevelFlags(yml, 'electronFuses'), asar: /^asar: true$/m.test(yml) };
  const schema = JSON.parse(readFileSync(join(REPO, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as {
    definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
  };
  const known = Object.keys(schema.definitions.FuseOptionsV1.properties);
  const fuses = config.electronFuses ?? {};
  for (const name of Object.keys(fuses)) expect(known, name).toContain(name);
  expect(fuses).toMatchObject({
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
  });
  expect(config.asar).toBe(true);
});
