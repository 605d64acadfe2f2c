/**
 * The main flow in the real UI: start a proxy to a real `brz serve` from the form, run
 * a real `brz log` through it and watch the counters and call list fill; switch VFS
 * refusal on and see a real `brz init` refused in the UI and on the client; open a
 * call's detail by mouse and by keyboard.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { useUiWithHosts } from './support/ui-harness';

const e2e = useUiWithHosts();
let proxyUrl: string;

function brz(args: string[]): Promise<{ code: number; output: string }> {
  // Async: the proxy runs in this process and must keep serving while brz runs.
  return new Promise((resolve) => {
    execFile('brz', args, { env: e2e.hosts.brzEnv(), timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: stdout + stderr });
    });
  });
}

/** The first URL listed in `scope` (the page or an owner's card), once it shows. */
async function firstOwnerUrl(scope: Page | Locator): Promise<string> {
  const url = scope.getByTestId('owner-url').first();
  await url.waitFor();
  return (await url.textContent()) ?? '';
}

/** The owner id an owner's card is for ("s1", "p2"). */
async function ownerIdOf(card: Locator): Promise<string> {
  return ((await card.getAttribute('data-testid')) ?? '').replace('owner-', '');
}

test('a proxy started from the form relays a real brz log; counters and calls fill with its verbs', async () => {
  const { page } = e2e.ui;
  await page.getByLabel('Upstream URL').fill(e2e.hosts.env.BZR_URL);
  await page.getByRole('button', { name: 'Start proxy' }).click();
  proxyUrl = await firstOwnerUrl(page);
  expect(proxyUrl).toMatch(/^bzr:\/\/127\.0\.0\.1:\d+\/$/);

  const log = await brz(['log', '--line', `${proxyUrl}trunk`]);
  expect(log.output).toMatch(/Initial import/);
  expect(log.code).toBe(0);

  // brz log's calls (as in tests/fixtures/captures/cli-log), decoded live.
  for (const verb of ['BzrDir.open_2.1', 'Branch.get_config_file', 'Branch.last_revision_info', 'Repository.iter_revisions']) {
    await page.locator(`[data-testid="call-row"][data-verb="${verb}"]`).first().waitFor();
  }
  const row = page.locator('tr[data-testid^="medium-"]').filter({ hasText: 'tcp-server' }).first();
  await expect.poll(async () => Number((await row.getByTestId('medium-calls').textContent())?.replace(/,/g, ''))).toBeGreaterThanOrEqual(9);
  expect(await row.getByTestId('medium-vfs').textContent()).toBe('0');
  // The upstream connection relays the same bytes the other way round (brz log uses one connection).
  const upstream = page.locator('tr[data-testid^="medium-"]').filter({ hasText: 'tcp-client' }).first();
  const counters = async (r: typeof row) => [await r.getByTestId('medium-read').textContent(), await r.getByTestId('medium-written').textContent()];
  await expect.poll(async () => (await counters(upstream)).reverse()).toEqual(await counters(row));
  expect(await upstream.getByTestId('medium-read').textContent()).not.toBe('0 B');
  await e2e.ui.screenshot('proxy-brz-log');
});

test('with VFS refusal switched on, brz init is refused on the client and in the UI', async () => {
  const { page } = e2e.ui;
  // As a user does: a click on the switch's label.
  await page.getByText('Refuse VFS calls').click();
  await expect.poll(() => page.getByRole('switch', { name: 'Refuse VFS calls' }).isChecked()).toBe(true);

  const init = await brz(['init', `${proxyUrl}refused`]);
  expect(init.code).not.toBe(0);
  expect(init.output).toContain('VFS requests over the smart server are not allowed. Encountered: mkdir');

  await page.getByRole('checkbox', { name: 'VFS only' }).check();
  const refused = page.locator('[data-testid="call-row"][data-verb="mkdir"]').first();
  await refused.waitFor();
  await refused.click();
  const detail = page.getByTestId('call-detail');
  await expect.poll(() => detail.getByTestId('detail-response').textContent()).toMatch(/VFS requests over the smart server are not allowed\. Encountered: mkdir/);
  // The row and the detail say a policy answered, not the upstream (its policy-action names the call: callId).
  expect(await refused.locator('.tag-policy').count()).toBe(1);
  expect(await refused.getByTestId('row-result').textContent()).toBe('refused by policy');
  expect(await detail.textContent()).toMatch(/Policy actions.*refuse-vfs/);
  await e2e.ui.screenshot('proxy-vfs-refused');
  await page.getByRole('checkbox', { name: 'VFS only' }).uncheck();
});

test("a call's detail opens by mouse and by keyboard", async () => {
  const { page } = e2e.ui;
  // Independent of the test before (which leaves "VFS only" on if it fails midway).
  await page.getByRole('checkbox', { name: 'VFS only' }).uncheck();
  await page.getByRole('searchbox', { name: 'Search calls' }).fill('get_config_file');
  await page.locator('[data-testid="call-row"][data-verb="Branch.get_config_file"]').first().click();
  const detail = page.getByTestId('call-detail');
  await expect.poll(() => detail.getByTestId('detail-request').textContent()).toMatch(/^Branch\.get_config_file\(/);
  await expect.poll(() => detail.getByTestId('detail-response').textContent()).toMatch(/^S \(/);
  await e2e.ui.screenshot('call-detail');
  // Headers and the raw bytes of both messages, as relayed: offset, hex, ASCII.
  expect(await detail.getByTestId('request-headers').textContent()).toMatch(/Software version.*"3\.3\.2"/);
  expect(await detail.getByTestId('response-headers').textContent()).toMatch(/Software version.*"3\.3\.2"/);
  const rawRequest = detail.getByTestId('raw-request');
  expect(await rawRequest.locator('pre').textContent()).toMatch(/^000000 {2}62 7a 72 20 6d 65 73 73 61 67 65 20 33 20 28 62 {2}bzr message 3 \(b\n000010 {2}/);
  expect(await rawRequest.textContent()).toMatch(/Request: \d+ bytes/);
  expect(await detail.getByTestId('raw-response').locator('pre').textContent()).toMatch(/^000000 {2}62 7a 72 20/);
  await detail.getByTestId('raw-bytes').scrollIntoViewIfNeeded();
  await e2e.ui.screenshot('call-detail-raw-bytes');

  await page.getByRole('searchbox', { name: 'Search calls' }).fill('');
  await page.getByRole('listbox', { name: 'Calls' }).focus();
  // Arrow keys select and show at once. The first row is the first connection's "connect".
  await page.keyboard.press('Home');
  await expect.poll(() => detail.getByTestId('conn-detail-text').textContent()).toMatch(/^(client connected from|connected to) 127\.0\.0\.1:\d+/);
  for (let i = 0; i < 4 && (await detail.getByTestId('detail-request').count()) === 0; i++) await page.keyboard.press('ArrowDown');
  await expect.poll(() => detail.getByTestId('detail-request').textContent()).toMatch(/^BzrDir\.open_2\.1\(/);
  await page.keyboard.press('ArrowDown');
  // The next row: another call, or a connection's row (the upstream's set-up is told once it is up).
  const shownRequest = async () => ((await detail.getByTestId('detail-request').count()) === 0 ? '' : await detail.getByTestId('detail-request').textContent());
  await expect.poll(shownRequest).not.toMatch(/^BzrDir\.open_2\.1\(/);
  await e2e.ui.screenshot('call-detail-keyboard');
  // Escape closes the detail: the list takes the whole width.
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });
  expect(e2e.ui.pageErrors).toEqual([]);
});

test("the proxy's other policies change while it runs", async () => {
  const { page } = e2e.ui;
  const card = page.locator('[data-testid^="owner-p"]').first();
  await card.getByText('Faults and limits').click();
  await card.getByLabel('Added latency per call').fill('25');
  await card.getByLabel('Idle-client timeout (0 = off)').fill('60');
  await card.getByRole('button', { name: 'Apply' }).click();
  await expect
    .poll(async () => {
      const owners = await e2e.ui.engine.run('ui:owners:list', null);
      return owners.ok ? owners.data.map((o) => [o.policy.latencyMs, o.policy.clientTimeoutSec, o.policy.refuseVfs]) : null;
    })
    .toEqual([[25, 60, true]]);
  await card.getByLabel('Added latency per call').fill('x');
  expect(await card.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
  await e2e.ui.screenshot('proxy-policies');
  await card.getByLabel('Added latency per call').fill('0');
  await card.getByRole('button', { name: 'Apply' }).click();
});

test('a server started from the form serves a real brz log, and stops from its card', async () => {
  const { page } = e2e.ui;
  await page.getByLabel('Directory').fill(e2e.hosts.env.REPOS);
  await page.getByRole('button', { name: 'Start server' }).click();
  const card = page.locator('[data-testid^="owner-s"]').first();
  const url = await firstOwnerUrl(card);
  expect(url).toMatch(/^bzr:\/\/127\.0\.0\.1:\d+\/$/);
  const log = await brz(['log', '--line', `${url}trunk`]);
  expect(log.output).toMatch(/Initial import/);
  const ownerId = await ownerIdOf(card);
  await page.locator(`tr[data-testid^="medium-"]`).filter({ hasText: ownerId }).first().waitFor();
  await e2e.ui.screenshot('server-brz-log');
  await card.getByRole('button', { name: 'Stop' }).click();
  await card.waitFor({ state: 'detached' });
});

test('the server form lists the backends the engine has, and the built-in one serves a real brz log', async () => {
  const { page } = e2e.ui;
  const select = page.getByLabel('Backend');
  await expect.poll(() => select.locator('option').allTextContents()).toEqual(['Breezy', 'Built-in']);
  // brz is installed here, so Breezy is the default; the built-in backend is offered beside it.
  expect(await select.inputValue()).toBe('breezy');
  await select.selectOption('builtin');
  await page.getByLabel('Directory').fill(e2e.hosts.env.REPOS);
  await page.getByRole('button', { name: 'Start server' }).click();
  const card = page.locator('[data-testid^="owner-s"]').filter({ hasText: 'built-in handlers' }).first();
  await card.waitFor();
  const url = await firstOwnerUrl(card);
  const log = await brz(['log', '--line', `${url}trunk`]);
  expect(log.output).toMatch(/Initial import/);
  await e2e.ui.screenshot('server-builtin-brz-log');
  await card.getByRole('button', { name: 'Stop' }).click();
  await card.waitFor({ state: 'detached' });
});

test('a server started with its embedded SSH server lists both URLs and its host key', async () => {
  const { page } = e2e.ui;
  await page.getByLabel('Directory').fill(e2e.hosts.env.REPOS);
  await page.getByText('Also serve bzr+ssh://').click();
  await page.getByLabel('Authorized keys file').fill(join(e2e.hosts.dir, 'authorized_keys'));
  // The test sshd's own host key will do: a key file the server reads, not one it makes in $HOME.
  await page.getByLabel('Host key file').fill(join(e2e.hosts.dir, 'ssh_host_ed25519_key'));
  await page.getByRole('button', { name: 'Start server' }).click();
  const card = page.locator('[data-testid^="owner-s"]').filter({ hasText: 'bzr+ssh://' }).first();
  await card.waitFor();
  const urls = await card.getByTestId('owner-url').allTextContents();
  expect(urls).toEqual([expect.stringMatching(/^bzr:\/\/127\.0\.0\.1:\d+\/$/), expect.stringMatching(/^bzr\+ssh:\/\/127\.0\.0\.1:\d+\/$/)]);
  expect(await card.textContent()).toMatch(/ssh host key SHA256:/);
  await e2e.ui.screenshot('server-with-ssh');
  await card.getByRole('button', { name: 'Stop' }).click();
  await card.waitFor({ state: 'detached' });
});

test('a proxy to a real sshd over bzr+ssh://, with identity and known_hosts from the form', async () => {
  const { page } = e2e.ui;
  const { SSH_USER, SSH_PORT, SSH_KEY, SSH_KNOWN_HOSTS, REPOS } = e2e.hosts.env;
  await page.getByLabel('Upstream URL').fill(`bzr+ssh://${SSH_USER}@127.0.0.1:${SSH_PORT}/`);
  await page.getByLabel('Identity file').fill(SSH_KEY);
  await page.getByLabel('known_hosts file').fill(SSH_KNOWN_HOSTS);
  await page.locator('input[name="proxy-listen"]').fill('127.0.0.1:0');
  await page.getByRole('button', { name: 'Start proxy' }).click();
  const card = page.locator('[data-testid^="owner-p"]').filter({ hasText: 'bzr+ssh://' }).first();
  const url = (await firstOwnerUrl(card)).replace(/\/$/, '');
  // The remote serves `/`, so the path through the proxy is the server's real path.
  const log = await brz(['log', '--line', `${url}${REPOS}/trunk`]);
  expect(log.output).toMatch(/Initial import/);
  const ownerId = await ownerIdOf(card);
  await page.locator('tr[data-testid^="medium-"]').filter({ hasText: 'ssh-client' }).filter({ hasText: ownerId }).first().waitFor();
  await e2e.ui.screenshot('proxy-ssh-brz-log');
});
