/**
 * A server started from the UI with a trace file whose folder then disappears: the UI
 * says so (a notice naming the trace) and the server keeps serving real brz.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { useUiWithHosts } from './support/ui-harness';

const e2e = useUiWithHosts();

test('a trace that can no longer be written shows a notice; the server goes on serving', async () => {
  const { page, engine } = e2e.ui;
  const folder = join(mkdtempSync(join(tmpdir(), 'hpss-e2e-trace-')), 'traces');
  mkdirSync(folder);
  const file = join(folder, 'server.jsonl');
  const owner = await engine.invoke('ui:server:start', { backend: 'breezy', dir: e2e.hosts.env.REPOS, listen: '127.0.0.1:0', allowWrites: false, ssh: null, trace: file });
  if (!owner.ok) throw new Error(owner.error.message);
  const url = (owner.data as { urls: string[] }).urls[0];
  const brzLog = () => promisify(execFile)('brz', ['log', '--line', `${url}trunk`], { env: e2e.hosts.brzEnv(), timeout: 30_000 });
  expect((await brzLog()).stdout).toMatch(/Initial import/);
  rmSync(folder, { recursive: true, force: true });
  await new Promise((r) => setTimeout(r, 1_100));
  expect((await brzLog()).stdout).toMatch(/Initial import/);
  const notice = page.getByTestId('notice').filter({ hasText: 'cannot write trace' });
  await notice.waitFor({ timeout: 10_000 });
  expect(await notice.textContent()).toContain(file);
  await e2e.ui.screenshot('trace-folder-removed');
  expect((await brzLog()).stdout).toMatch(/Initial import/);
});
