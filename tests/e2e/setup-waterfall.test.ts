/**
 * Connection set-up and time with the peer (issue 11, points 2, 3 and 8), in the real UI
 * against a real sshd and a real brz: an SSH set-up is its own row with its phases, not
 * part of the first call; a refused one is a red set-up row and leaves no phantom
 * connection; the waterfall draws our side and the peer's in two tones, with a legend and
 * both numbers in each bar's tooltip; jitter is a fault chip like the others.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { useUiWithHosts } from './support/ui-harness';

const e2e = useUiWithHosts();
const sshUrl = (port = e2e.hosts.env.SSH_PORT) => `bzr+ssh://${e2e.hosts.env.SSH_USER}@127.0.0.1:${port}/`;

async function sendSshCall(url: string): Promise<void> {
  const { page } = e2e.ui;
  await page.getByRole('tab', { name: 'Call' }).click();
  await page.getByLabel('URL', { exact: true }).fill(url);
  const block = page.getByTestId('ssh-settings');
  await block.getByLabel('Identity file').fill(e2e.hosts.env.SSH_KEY);
  await block.getByLabel('known_hosts file').fill(e2e.hosts.env.SSH_KNOWN_HOSTS);
  await page.getByLabel('Verb', { exact: true }).fill('hello');
  await page.getByLabel('Arguments (one a line)').fill('');
  await page.getByTestId('send-call').click();
}

test('an SSH call: its set-up is a row of its own with every phase, and the call\'s time leaves it out', async () => {
  const { page } = e2e.ui;
  await sendSshCall(sshUrl());
  await page.getByTestId('call-result').waitFor({ timeout: 20_000 });
  const setup = page.locator('[data-testid="conn-row"][data-event="setup"]').filter({ hasText: `SSH set-up to ${e2e.hosts.env.SSH_USER}@127.0.0.1:${e2e.hosts.env.SSH_PORT} in` }).first();
  await setup.waitFor();
  const text = (await setup.getByTestId('conn-text').textContent()) ?? '';
  for (const phase of ['TCP connect', 'SSH handshake', 'host key', 'authentication', 'exec remote']) expect(text).toContain(phase);
  expect(await setup.getAttribute('class')).not.toContain('is-failure');
  // The hello's own time is the remote brz starting and answering (the peer's) plus a little of
  // ours: the set-up is in neither.
  const setupMs = Number(/ in ([\d.]+) ms/.exec(text)?.[1]);
  const mediumId = (await setup.locator('.c-medium').textContent()) ?? '';
  await page.locator('[data-testid="call-row"][data-verb="hello"]').filter({ has: page.locator('.c-medium', { hasText: new RegExp(`^${mediumId}$`) }) }).click();
  const split = /our side ([\d.]+) (m?s), the peer/.exec((await page.getByTestId('call-peer-time').textContent()) ?? '');
  expect(split?.[2]).toBe('ms');
  expect(Number(split?.[1])).toBeLessThan(setupMs);
  await setup.click();
  const phases = page.getByTestId('setup-phases');
  expect(await phases.locator('li').allTextContents()).toEqual([
    expect.stringMatching(/^resolve: /), expect.stringMatching(/^TCP connect: /), expect.stringMatching(/^SSH handshake: /),
    expect.stringMatching(/^host key: /), expect.stringMatching(/^authentication: /), expect.stringMatching(/^exec remote: /),
  ]);
  await e2e.ui.screenshot('ssh-setup-row');
});

test('a refused SSH connection: a red set-up row with the reason, and no phantom connection', async () => {
  const { page } = e2e.ui;
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const mediumsBefore = await page.locator('tr[data-testid^="medium-"]').count();
  await sendSshCall(sshUrl(port));
  await page.getByTestId('notice').filter({ hasText: 'Connection refused' }).first().waitFor({ timeout: 20_000 });
  const failed = page.locator('[data-testid="conn-row"][data-event="setup"].is-failure').filter({ hasText: `127.0.0.1:${port}` }).first();
  await failed.waitFor();
  expect(await failed.getByTestId('conn-text').textContent()).toMatch(new RegExp(`failed at TCP connect after .*: failed to connect to 127\\.0\\.0\\.1:${port}: Connection refused`));
  const mediumId = (await failed.locator('.c-medium').textContent()) ?? '';
  // The call is there (it failed), its connection is not: no placeholder row, no "?" peer.
  await page.locator('[data-testid="call-row"][data-verb="hello"]').filter({ has: page.locator('.c-medium', { hasText: new RegExp(`^${mediumId}$`) }) }).waitFor();
  expect(await page.getByTestId(`medium-${mediumId}`).count()).toBe(0);
  expect(await page.locator('tr[data-testid^="medium-"]').count()).toBe(mediumsBefore);
  expect(await page.locator('tr[data-testid^="medium-"]').filter({ hasText: '?' }).count()).toBe(0);
  // One row says why, not a second error row for the same failure.
  expect(await page.locator('[data-testid="conn-row"][data-event="error"]').filter({ hasText: `127.0.0.1:${port}` }).count()).toBe(0);
  await failed.click();
  expect(await page.getByTestId('conn-detail-text').textContent()).toContain('Connection refused');
  await e2e.ui.screenshot('ssh-setup-refused');
});

test('the waterfall of a proxied brz: the upstream\'s set-up, then each call in two tones, with a legend and both numbers', async () => {
  const { page } = e2e.ui;
  await page.getByRole('tab', { name: 'Serve & proxy' }).click();
  await page.getByLabel('Upstream URL').fill(sshUrl());
  const block = page.getByTestId('ssh-settings');
  await block.getByLabel('Identity file').fill(e2e.hosts.env.SSH_KEY);
  await block.getByLabel('known_hosts file').fill(e2e.hosts.env.SSH_KNOWN_HOSTS);
  await page.getByRole('button', { name: 'Start proxy' }).click();
  const card = page.locator('[data-testid^="owner-p"]').filter({ hasText: 'bzr+ssh://' }).first();
  const url = ((await card.getByTestId('owner-url').first().textContent()) ?? '').replace(/\/$/, '');
  // Jitter on a delay: a chip like the other faults.
  await card.getByText('Faults and limits').click();
  await card.getByLabel('Delay responses only').fill('20');
  await card.getByLabel('Jitter on the delays').fill('30');
  await card.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => card.getByTestId('fault-chips').textContent()).toBe('responses +20 msjitter 0–30 ms');
  const { stdout } = await promisify(execFile)('brz', ['log', '--line', `${url}${e2e.hosts.env.REPOS}/trunk`], { env: e2e.hosts.brzEnv(), timeout: 30_000 });
  expect(stdout).toMatch(/Initial import/);

  const row = page.locator('[data-testid="call-row"][data-verb="Branch.last_revision_info"]').last();
  await row.click();
  await expect.poll(() => page.getByTestId('call-peer-time').textContent()).toMatch(/our side [\d.]+ m?s, the peer [\d.]+ m?s/);
  await page.getByTestId('follow-connection').click();
  await page.getByRole('tab', { name: 'Waterfall' }).click();
  const waterfall = page.getByTestId('waterfall');
  await waterfall.waitFor();
  expect(await waterfall.getByTestId('wf-legend').textContent()).toMatch(/our side.*the peer.*connection set-up/);
  // The upstream's SSH set-up is a bar of its own, one segment per phase.
  const setupBar = waterfall.getByTestId('wf-setup');
  expect(await setupBar.count()).toBe(1);
  expect(await setupBar.locator('rect').count()).toBe(6);
  // Each call in two tones: our side (the response delay and jitter are ours) and the peer's.
  const calls = waterfall.getByTestId('wf-call');
  expect(await calls.count()).toBeGreaterThan(3);
  expect(await waterfall.getByTestId('wf-peer').count()).toBe(await calls.count());
  const tones = await page.evaluate<string[]>(
    `['wf-ours', 'wf-peer'].map((id) => getComputedStyle(document.querySelector('[data-testid="waterfall"] [data-testid="' + id + '"]')).fillOpacity)`,
  );
  expect(tones[0]).not.toBe(tones[1]);
  const tip = (await calls.last().locator('title').first().textContent()) ?? '';
  const [, total, ours, peer] = /: ([\d.]+) ms — our side ([\d.]+) ms, peer ([\d.]+) ms/.exec(tip) ?? [];
  expect(Number(ours)).toBeGreaterThanOrEqual(19);
  expect(Math.abs(Number(ours) + Number(peer) - Number(total))).toBeLessThan(2);
  await e2e.ui.screenshot('waterfall-two-tones');
  // Per-verb statistics say how much of each verb's time was the peer's.
  await page.getByRole('tab', { name: 'Per-verb stats' }).click();
  const headings = await page.getByTestId('verb-stats').locator('th').allTextContents();
  const share = await page.getByTestId('verb-stats').locator('tr[data-verb="Branch.last_revision_info"] td').nth(headings.indexOf("Peer's share")).textContent();
  expect(share).toMatch(/^\d+ %$/);
  await page.getByRole('tab', { name: 'List' }).click();
  await page.getByTestId('follow-connection').click();
});
