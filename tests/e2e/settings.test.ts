/**
 * Settings checked before they bite (issue 11): a server on a directory that does not
 * exist is refused with the reason; servers and proxies saved and restored with their
 * ports, serving real brz again.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { useUiWithHosts } from './support/ui-harness';

const e2e = useUiWithHosts();

function brz(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('brz', args, { env: e2e.hosts.brzEnv(), timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, output: stdout + stderr }));
  });
}

test('a server on a directory that does not exist is refused with the reason', async () => {
  const { page } = e2e.ui;
  const missing = join(e2e.hosts.env.REPOS, 'no-such-dir');
  await page.getByLabel('Directory').fill(missing);
  await page.getByRole('button', { name: 'Start server' }).click();
  const notice = page.getByTestId('notice').filter({ hasText: `the directory ${missing} does not exist` });
  await notice.waitFor();
  expect(await notice.textContent()).toMatch(/Pick a directory that exists/);
  expect(await page.locator('[data-testid^="owner-s"]').count()).toBe(0);
  await e2e.ui.screenshot('server-dir-refused');
});

test('servers and proxies are saved and restored with their ports', async () => {
  const { page } = e2e.ui;
  await page.getByLabel('Directory').fill(e2e.hosts.env.REPOS);
  await page.getByRole('button', { name: 'Start server' }).click();
  await page.locator('[data-testid^="owner-s"]').waitFor();
  await page.getByLabel('Upstream URL').fill(e2e.hosts.env.BZR_URL);
  await page.getByRole('button', { name: 'Start proxy' }).click();
  await page.locator('[data-testid^="owner-p"]').waitFor();
  const urls = async () => (await page.getByTestId('owner-url').allTextContents()).sort();
  const before = await urls();
  expect(before).toHaveLength(2);

  await page.getByTestId('save-setup').click();
  await page.getByTestId('notice').filter({ hasText: '2 server(s) and proxies, with their ports' }).waitFor();
  const cards = page.locator('.owner-card');
  for (let n = await cards.count(); n > 0; n--) {
    await cards.first().getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => cards.count()).toBe(n - 1);
  }

  await page.getByTestId('restore-setup').click();
  await page.getByTestId('notice').filter({ hasText: '2 of 2 started on their saved ports' }).waitFor();
  expect(await urls()).toEqual(before);
  // The restored proxy serves brz again on the same address.
  const proxyUrl = await page.locator('[data-testid^="owner-p"]').getByTestId('owner-url').textContent();
  const log = await brz(['log', '--line', `${proxyUrl}trunk`]);
  expect(log.code).toBe(0);
  await e2e.ui.screenshot('setup-restored');
  expect(e2e.ui.pageErrors).toEqual([]);
});
