import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { Engine } from '../../../src/main/engine/engine';
import { realBackends } from '../../../src/main/engine/real-backends';

const engine = new Engine(realBackends);
const scratch = mkdtempSync(join(tmpdir(), 'hpss-server-dir-'));
afterAll(() => engine.shutdown());

const start = (dir: string) => engine.run('ui:server:start', { backend: 'breezy', dir, listen: '127.0.0.1:0', allowWrites: false, ssh: null });

test('a server on a directory that does not exist is refused with the reason, before anything listens', async () => {
  const missing = join(scratch, 'no-such-dir');
  expect(await start(missing)).toEqual({ ok: false, error: { code: 'bad-directory', message: `the directory ${missing} does not exist` } });
  const file = join(scratch, 'a-file');
  writeFileSync(file, 'x');
  expect(await start(file)).toEqual({ ok: false, error: { code: 'bad-directory', message: `${file} is not a directory` } });
  expect(await engine.run('ui:owners:list', null)).toEqual({ ok: true, data: [] });
});

test('an existing directory starts', async () => {
  const r = await start(scratch);
  expect(r.ok).toBe(true);
  if (r.ok) await engine.run('ui:owner:stop', { ownerId: r.data.ownerId });
});
