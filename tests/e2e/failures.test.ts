/**
 * Failures are loud (issue 11): real brz through real proxies, each failure named in red
 * at first glance — brz's "Not a branch", a push whose connection a fault drops, and an
 * upstream sshd whose host key changed — with the owner cards, the "Failures only" filter,
 * live clocks on a slow call, follow connection, the waterfall and per-verb statistics.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { expect, test } from 'vitest';
import { useUiWithHosts } from './support/ui-harness';

const e2e = useUiWithHosts();
const scratch = mkdtempSync(join(tmpdir(), 'hpss-e2e-fail-'));
let proxyUrl = '';
let proxyId = '';

function brz(args: string[], cwd = scratch): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('brz', args, { cwd, env: e2e.hosts.brzEnv(), timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: stdout + stderr });
    });
  });
}

async function startProxy(upstream: string, ssh?: { key: string; knownHosts: string }): Promise<{ url: string; id: string; card: Locator }> {
  const { page } = e2e.ui;
  const before = await page.locator('[data-testid^="owner-p"]').count();
  await page.getByLabel('Upstream URL').fill(upstream);
  if (ssh) {
    await page.getByLabel('Identity file').fill(ssh.key);
    await page.getByLabel('known_hosts file').fill(ssh.knownHosts);
  }
  await page.getByRole('button', { name: 'Start proxy' }).click();
  await expect.poll(() => page.locator('[data-testid^="owner-p"]').count()).toBe(before + 1);
  const card = page.locator('[data-testid^="owner-p"]').nth(before);
  const url = (await card.getByTestId('owner-url').first().textContent()) ?? '';
  const id = ((await card.getAttribute('data-testid')) ?? '').replace('owner-', '');
  return { url, id, card };
}

/** The call rows of a verb, with their result cell. */
function callRows(verb: string): Locator {
  return e2e.ui.page.locator(`[data-testid="call-row"][data-verb="${verb}"]`);
}

test('brz\'s "Not a branch" is a red "S no" with its meaning, not a green ok', async () => {
  const { page } = e2e.ui;
  ({ url: proxyUrl, id: proxyId } = await startProxy(e2e.hosts.env.BZR_URL));
  const log = await brz(['log', `${proxyUrl}no/such/branch`]);
  expect(log.code).not.toBe(0);
  expect(log.output).toMatch(/Not a branch/);
  const row = callRows('BzrDir.open_2.1').first();
  await row.waitFor();
  const result = row.getByTestId('row-result');
  expect(await result.textContent()).toBe('S no');
  expect(await result.getAttribute('data-severity')).toBe('fail');
  // Red, as every failure: the theme's --bad colour, not the ok green.
  const red = await page.evaluate<string>("getComputedStyle(document.documentElement).getPropertyValue('--bad') && getComputedStyle(document.querySelector('.tone-bad')).color");
  const colourOf = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color;
  expect(await result.evaluate(colourOf)).toBe(red);
  expect(red).toMatch(/^rgb\(\d{3}, \d{1,2}, \d{1,2}\)$/);
  await row.click();
  expect(await page.getByTestId('call-meaning').textContent()).toBe('Failed: Not a branch: no bzrdir at this path');
  // The owner's card turns amber: its calls fail, its upstream is fine.
  const card = page.getByTestId(`owner-${proxyId}`);
  expect(await card.getAttribute('data-trouble')).toBe('warn');
  expect(await card.getByTestId('owner-trouble').textContent()).toMatch(/Calls failing.*BzrDir\.open_2\.1: S no — Not a branch/);
  await e2e.ui.screenshot('failure-not-a-branch');
});

test('a push whose connection a fault drops: the cut call and the drop are red rows, the fault a chip', async () => {
  const { page } = e2e.ui;
  const card = page.getByTestId(`owner-${proxyId}`);
  await card.getByText('Faults and limits').click();
  await card.getByLabel('Drop after call N (0 = never)').fill('3');
  await card.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => card.getByTestId('fault-chips').textContent()).toBe('drops after call 3');
  expect(await page.locator('.topbar').textContent()).toContain(`faults on ${proxyId}`);

  const local = join(scratch, 'local');
  execFileSync('brz', ['branch', '-q', `${e2e.hosts.env.BZR_URL}trunk`, local], { env: e2e.hosts.brzEnv(), stdio: 'ignore', timeout: 30_000 });
  const push = await brz(['push', `${proxyUrl}e2e-dropped`], local);
  expect(push.code).not.toBe(0);
  expect(push.output).toMatch(/[Cc]onnection|closed|reset/);

  // The drop shows as a red connection row naming the policy.
  const drop = page.locator('[data-testid="conn-row"][data-event="disconnect"].is-failure').filter({ hasText: 'policy dropped the connection after 3 calls' }).first();
  await drop.waitFor();
  await page.getByRole('checkbox', { name: 'Failures only' }).check();
  await drop.waitFor();
  // Only failures: every row shown is marked as one.
  const shown = page.locator('[data-testid="call-list"] .call-row');
  expect(await shown.count()).toBeGreaterThan(1);
  expect(await shown.evaluateAll((rows) => rows.every((r) => r.classList.contains('is-failure')))).toBe(true);
  await e2e.ui.screenshot('failure-push-dropped');
  await page.getByRole('checkbox', { name: 'Failures only' }).uncheck();
  await card.getByLabel('Drop after call N (0 = never)').fill('0');
  await card.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => card.getByTestId('fault-chips').count()).toBe(0);
});

test('an upstream sshd whose host key changed: the proxy card turns red and names it; the call says "upstream unreachable"', async () => {
  const { page } = e2e.ui;
  const { SSH_USER, SSH_PORT, SSH_KEY, REPOS } = e2e.hosts.env;
  // The client key stands in for the host's: same name and type, another key.
  const changed = join(scratch, 'known_hosts_changed');
  writeFileSync(changed, `[127.0.0.1]:${SSH_PORT} ${readFileSync(`${SSH_KEY}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
  const proxy = await startProxy(`bzr+ssh://${SSH_USER}@127.0.0.1:${SSH_PORT}/`, { key: SSH_KEY, knownHosts: changed });
  const log = await brz(['log', `${proxy.url.replace(/\/$/, '')}${REPOS}/trunk`]);
  expect(log.code).not.toBe(0);
  expect(log.output).toMatch(/cannot reach the upstream/);

  await expect.poll(() => proxy.card.getAttribute('data-trouble')).toBe('bad');
  expect(await proxy.card.getByTestId('owner-trouble').textContent()).toMatch(/Upstream failing.*host key/i);
  expect(await page.locator('.topbar').textContent()).toContain('an upstream is failing');
  const failed = page.locator('[data-testid="row-result"]').filter({ hasText: 'upstream unreachable' }).first();
  await failed.waitFor();
  expect(await failed.getAttribute('data-severity')).toBe('fail');
  await page.locator('[data-testid="conn-row"][data-event="error"].is-failure').filter({ hasText: /host key/i }).first().waitFor();
  await e2e.ui.screenshot('failure-host-key-changed');
  await page.getByRole('checkbox', { name: 'Failures only' }).check();
  await e2e.ui.screenshot('failures-only');
  await page.getByRole('checkbox', { name: 'Failures only' }).uncheck();
  await proxy.card.getByRole('button', { name: 'Stop' }).click();
});

test('a slow call ticks its clock, amber past 2 s; connections show how long they are idle', async () => {
  const { page } = e2e.ui;
  const card = page.getByTestId(`owner-${proxyId}`);
  await card.getByLabel('Added latency per call').fill('2600');
  await card.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => card.getByTestId('fault-chips').textContent()).toContain('+2600 ms per call');
  const slow = brz(['log', '-l1', `${proxyUrl}trunk`]);
  const clock = page.getByTestId('pending-clock').first();
  await clock.waitFor({ timeout: 10_000 });
  const first = await clock.textContent();
  await expect.poll(() => clock.getAttribute('class'), { timeout: 5_000 }).toContain('tone-warn');
  expect(await clock.textContent()).not.toBe(first);
  // The connection waiting on the slow call has been idle for seconds.
  await expect.poll(() => page.getByTestId('medium-idle').filter({ hasText: /^idle [1-9]\d* s$/ }).count(), { timeout: 5_000 }).toBeGreaterThan(0);
  await e2e.ui.screenshot('live-clock');
  await card.getByLabel('Added latency per call').fill('0');
  await card.getByRole('button', { name: 'Apply' }).click();
  expect((await slow).code).toBe(0);
});

test('a probe shows the step it waits on, its clock and a countdown to its timeout', async () => {
  const { page } = e2e.ui;
  // Accepts and never answers: the probe waits on hello.
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  try {
    await page.getByRole('tab', { name: 'Probe' }).click();
    await page.getByLabel('URL to probe').fill(`bzr://127.0.0.1:${port}/x`);
    await page.getByTestId('start-probe').click();
    const waiting = page.getByTestId('probe-waiting').first();
    await expect.poll(() => waiting.textContent(), { timeout: 5_000 }).toMatch(/^hello/);
    const left = async () => Number(/times out in (\d+) s/.exec((await waiting.textContent()) ?? '')?.[1]);
    const first = await left();
    expect(first).toBeGreaterThan(10);
    await expect.poll(left, { timeout: 4_000 }).toBeLessThan(first);
    await e2e.ui.screenshot('probe-countdown');
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    await page.getByRole('tab', { name: 'Serve & proxy' }).click();
  }
});

test('follow connection, the waterfall and per-verb statistics', async () => {
  const { page } = e2e.ui;
  const row = callRows('Branch.last_revision_info').last();
  await row.click();
  await page.getByTestId('follow-connection').click();
  const mediumId = (await row.locator('.c-medium').textContent()) ?? '';
  expect(await page.getByRole('combobox', { name: 'Filter by connection' }).inputValue()).toBe(mediumId);
  // The proxied connection's upstream (its pair) is shown with it.
  const conns = await page.locator('[data-testid="call-list"] .c-medium').allTextContents();
  expect(new Set(conns).size).toBe(2);
  await page.getByRole('tab', { name: 'Waterfall' }).click();
  const waterfall = page.getByTestId('waterfall');
  await waterfall.waitFor();
  expect(await waterfall.locator('rect.wf-bar').count()).toBeGreaterThan(3);
  await e2e.ui.screenshot('waterfall');
  await page.getByRole('tab', { name: 'Per-verb stats' }).click();
  const stats = page.getByTestId('verb-stats');
  const open = stats.locator('tr[data-verb="BzrDir.open_2.1"] td');
  expect(await open.nth(1).textContent()).toMatch(/^\d+$/);
  expect(await open.nth(4).textContent()).toMatch(/ms|s$/);
  await e2e.ui.screenshot('verb-stats');
  await page.getByRole('tab', { name: 'List' }).click();
  await page.getByTestId('follow-connection').click();
  expect(await page.getByRole('combobox', { name: 'Filter by connection' }).inputValue()).toBe('');
});

test('panes get out of the way: tools and overview collapse, the detail resizes and closes', async () => {
  const { page } = e2e.ui;
  await page.getByRole('button', { name: 'Tools' }).click();
  await page.getByRole('button', { name: 'Overview' }).click();
  expect(await page.locator('.sidebar').count()).toBe(0);
  expect(await page.locator('.overview').count()).toBe(0);
  // The list is virtualized and longer than the pane by now (set-up rows too): search brings the row into view.
  await page.getByLabel('Search calls').fill('no/such/branch');
  await callRows('BzrDir.open_2.1').filter({ hasText: '"no/such/branch/"' }).first().click();
  const detail = page.getByTestId('call-detail');
  await expect.poll(() => detail.getByTestId('detail-request').textContent()).toBe('BzrDir.open_2.1("no/such/branch/")');
  const before = (await detail.boundingBox())?.width ?? 0;
  const bar = (await page.getByTestId('detail-splitter').boundingBox())!;
  await page.mouse.move(bar.x + 3, bar.y + 40);
  await page.mouse.down();
  await page.mouse.move(bar.x - 200, bar.y + 40, { steps: 5 });
  await page.mouse.up();
  expect((await detail.boundingBox())?.width ?? 0).toBeGreaterThan(before + 150);
  // Copy as a command: the call as `hpss call …`.
  expect(await detail.getByTestId('call-command').textContent()).toMatch(/^hpss call bzr:\/\/127\.0\.0\.1:\d+\/ BzrDir\.open_2\.1 no\/such\/branch\/$/);
  await e2e.ui.screenshot('panes-collapsed');
  await detail.getByRole('button', { name: 'Close detail' }).click();
  await detail.waitFor({ state: 'detached' });
  await page.getByLabel('Search calls').fill('');
  await page.getByRole('button', { name: 'Tools' }).click();
  await page.getByRole('button', { name: 'Overview' }).click();
  expect(e2e.ui.pageErrors).toEqual([]);
});
