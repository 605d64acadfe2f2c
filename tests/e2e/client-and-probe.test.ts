/**
 * The app's own client in the real UI: a single call to a real `brz serve` with its
 * decoded result; the app client's VFS refusal stopping a `get` before it is sent
 * (shown in the UI with Breezy's text); a probe of a closed port and its verdict.
 */
import { createServer } from 'node:net';
import { expect, test } from 'vitest';
import { useUiWithHosts } from './support/ui-harness';

const e2e = useUiWithHosts();

async function sendCall(verb: string, args: string[]): Promise<void> {
  const { page } = e2e.ui;
  await page.getByRole('tab', { name: 'Call' }).click();
  await page.getByLabel('URL', { exact: true }).fill(e2e.hosts.env.BZR_URL);
  await page.getByLabel('Verb', { exact: true }).fill(verb);
  await page.getByLabel('Arguments (one a line)').fill(args.join('\n'));
  await page.getByTestId('send-call').click();
}

test('a single call from the form shows the decoded answer, and its medium and call appear', async () => {
  const { page } = e2e.ui;
  await sendCall('BzrDir.open_2.1', ['trunk/']);
  const result = page.getByTestId('call-result');
  await result.waitFor();
  expect(await result.getByTestId('call-result-args').textContent()).toMatch(/^"yes"/);
  await page.locator('[data-testid="call-row"][data-verb="BzrDir.open_2.1"]').first().waitFor();
  await page.locator('tr[data-testid^="medium-"]').filter({ hasText: 'tcp-client' }).first().waitFor();
  // The bytes the app sent and got, from the call's events.
  await expect.poll(() => result.getByTestId('raw-request').locator('pre').textContent()).toMatch(/^000000 {2}62 7a 72 20 6d 65 73 73 {2}bzr mess\n/);
  expect(await result.getByTestId('raw-response').textContent()).toMatch(/Response: \d+ bytes/);
  await e2e.ui.screenshot('single-call');
});

test("with the app client's VFS refusal on, a get is refused before it is sent, with Breezy's text", async () => {
  const { page } = e2e.ui;
  await page.getByText('App client refuses VFS', { exact: true }).click();
  await expect.poll(() => page.getByRole('switch', { name: 'App client refuses VFS' }).isChecked()).toBe(true);
  await sendCall('get', ['/trunk/.bzr/branch-format']);
  const notice = page.getByTestId('notice').filter({ hasText: 'Sending get failed' });
  await notice.waitFor();
  expect(await notice.textContent()).toContain("VFS requests over the smart server are not allowed. Encountered: b'get', (b'/trunk/.bzr/branch-format',).");
  await e2e.ui.screenshot('client-vfs-refused');
  await page.getByText('App client refuses VFS', { exact: true }).click();
  await expect.poll(() => page.getByRole('switch', { name: 'App client refuses VFS' }).isChecked()).toBe(false);
});

test('a probe of a closed port ends with a failed verdict that says what to try', async () => {
  const { page } = e2e.ui;
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));

  await page.getByRole('tab', { name: 'Probe' }).click();
  await page.getByLabel('URL to probe').fill(`bzr://127.0.0.1:${port}/trunk`);
  await page.getByTestId('start-probe').click();
  const verdict = page.getByTestId('probe-verdict').first();
  await verdict.waitFor({ timeout: 20_000 });
  const text = (await verdict.textContent()) ?? '';
  expect(text).toMatch(/FAILED/);
  expect(text).toMatch(/refused|nothing (is )?listen|not listening/i);
  expect(text).not.toMatch(/probe stopped/);
  expect(await page.getByTestId('probe-run').first().textContent()).toMatch(new RegExp(String(port)));
  await e2e.ui.screenshot('probe-closed-port');
  expect(e2e.ui.pageErrors).toEqual([]);
});

test('a probe of the real brz serve passes every step, with the protocol that answered', async () => {
  const { page } = e2e.ui;
  await page.getByRole('tab', { name: 'Probe' }).click();
  await page.getByLabel('URL to probe').fill(`${e2e.hosts.env.BZR_URL}trunk`);
  await page.getByTestId('start-probe').click();
  const run = page.getByTestId('probe-run').filter({ hasText: `${e2e.hosts.env.BZR_URL}trunk` }).first();
  await run.getByTestId('probe-verdict').waitFor({ timeout: 20_000 });
  expect(await run.getByTestId('probe-verdict').textContent()).toMatch(/^OK/);
  expect(await run.locator('.probe-steps li.bad').count()).toBe(0);
  await e2e.ui.screenshot('probe-ok');
});

test('a proxy that cannot listen says what failed and what to try', async () => {
  const { page } = e2e.ui;
  await page.getByRole('tab', { name: 'Serve & proxy' }).click();
  await page.getByLabel('Upstream URL').fill(e2e.hosts.env.BZR_URL);
  // brz serve holds this port already.
  await page.locator('input[name="proxy-listen"]').fill(`127.0.0.1:${e2e.hosts.env.BZR_TCP_PORT}`);
  await page.getByRole('button', { name: 'Start proxy' }).click();
  const notice = page.getByTestId('notice').filter({ hasText: 'Starting the proxy failed' });
  await notice.waitFor();
  expect(await notice.textContent()).toMatch(new RegExp(`${e2e.hosts.env.BZR_TCP_PORT}.*port 0`));
  await e2e.ui.screenshot('proxy-listen-failed');
  expect(await page.getByTestId('owner-url').count()).toBe(0);
});
