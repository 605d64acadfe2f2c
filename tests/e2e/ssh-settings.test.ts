/**
 * bzr+ssh:// from the UI, all the way, in real Chromium against the real sshd: the one
 * SSH settings block shared by Probe, Call and Proxy; an unknown host key shown with
 * its fingerprint and trusted with one click (then written to known_hosts); an
 * encrypted identity file opened with the passphrase field; and the embedded SSH
 * server's card, whose copied BRZ_SSH recipe runs a real brz through a real ssh.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fingerprint } from '../../src/main/medium/ssh/known-hosts';
import { recipeDir } from '../../src/shared/ssh-recipe';
import { useUiWithHosts } from './support/ui-harness';

const PASSPHRASE = 'open sesame 42';
const e2e = useUiWithHosts();
let scratch: string;
let encryptedKey: string;
let hostFingerprint: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hpss-e2e-ssh-'));
  encryptedKey = join(scratch, 'id_encrypted');
  copyFileSync(e2e.hosts.env.SSH_KEY, encryptedKey);
  execFileSync('ssh-keygen', ['-q', '-p', '-N', PASSPHRASE, '-f', encryptedKey], { stdio: 'ignore' });
  const line = readFileSync(e2e.hosts.env.SSH_KNOWN_HOSTS, 'utf8').split('\n').find((l) => l.includes('ssh-ed25519'))!;
  hostFingerprint = fingerprint(Buffer.from(line.split(' ')[2], 'base64'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sshUrl = (path = '') => `bzr+ssh://${e2e.hosts.env.SSH_USER}@127.0.0.1:${e2e.hosts.env.SSH_PORT}/${path}`;
let files = 0;
function emptyKnownHosts(): string {
  const file = join(scratch, `known_hosts_${++files}`);
  writeFileSync(file, '');
  return file;
}

async function fillSsh(identity: string, knownHosts: string, passphrase = ''): Promise<void> {
  const block = e2e.ui.page.getByTestId('ssh-settings');
  await block.getByLabel('Identity file').fill(identity);
  await block.getByLabel('known_hosts file').fill(knownHosts);
  await block.getByLabel('Key passphrase').fill(passphrase);
}

test('probe: an unknown host key is shown with its fingerprint, trusted with one click, and written to known_hosts', async () => {
  const { page } = e2e.ui;
  const knownHosts = emptyKnownHosts();
  await page.getByRole('tab', { name: 'Probe' }).click();
  await page.getByLabel('URL to probe').fill(sshUrl(`${e2e.hosts.env.REPOS.slice(1)}/trunk`));
  await fillSsh(e2e.hosts.env.SSH_KEY, knownHosts);
  await page.getByTestId('start-probe').click();
  const prompt = page.getByTestId('host-key-prompt');
  await prompt.waitFor({ timeout: 20_000 });
  expect(await prompt.getByTestId('host-key-fingerprint').textContent()).toBe(hostFingerprint);
  expect(await prompt.textContent()).toContain(`[127.0.0.1]:${e2e.hosts.env.SSH_PORT}`);
  await prompt.scrollIntoViewIfNeeded();
  await e2e.ui.screenshot('ssh-unknown-host-key');
  expect(readFileSync(knownHosts, 'utf8')).toBe('');

  await prompt.getByTestId('trust-host-key').click();
  const accepted = page.getByTestId('probe-run').filter({ hasText: 'accepted as a new key' }).first();
  await accepted.getByTestId('probe-verdict').waitFor({ timeout: 20_000 });
  expect(await accepted.getByTestId('probe-verdict').textContent()).toMatch(/^OK/);
  await accepted.getByTestId('probe-verdict').scrollIntoViewIfNeeded();
  expect(readFileSync(knownHosts, 'utf8')).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${e2e.hosts.env.SSH_PORT} ssh-ed25519 `));
  await e2e.ui.screenshot('ssh-host-key-trusted');
});

test('call: the shared block carries over from Probe; an encrypted key needs its passphrase, then the call succeeds', async () => {
  const { page } = e2e.ui;
  await page.getByRole('tab', { name: 'Call' }).click();
  await page.getByLabel('URL', { exact: true }).fill(sshUrl());
  // Shared: what the Probe tab set is already here.
  expect(await page.getByTestId('ssh-settings').getByLabel('Identity file').inputValue()).toBe(e2e.hosts.env.SSH_KEY);
  await fillSsh(encryptedKey, e2e.hosts.env.SSH_KNOWN_HOSTS);
  await page.getByLabel('Verb', { exact: true }).fill('hello');
  await page.getByTestId('send-call').click();
  const notice = page.getByTestId('notice').filter({ hasText: 'key passphrase' }).first();
  await notice.waitFor({ timeout: 20_000 });
  expect(await notice.textContent()).toContain(`the identity file ${encryptedKey} is encrypted`);
  await page.getByTestId('ssh-settings').scrollIntoViewIfNeeded();
  await e2e.ui.screenshot('ssh-call-needs-passphrase');

  await page.getByTestId('ssh-settings').getByLabel('Key passphrase').fill(PASSPHRASE);
  expect(await page.getByTestId('ssh-settings').getByLabel('Key passphrase').getAttribute('type')).toBe('password');
  await page.getByTestId('send-call').click();
  const result = page.getByTestId('call-result');
  await result.waitFor({ timeout: 20_000 });
  expect(await result.getByTestId('call-result-args').textContent()).toMatch(/^"ok"/);
  await result.scrollIntoViewIfNeeded();
  await e2e.ui.screenshot('ssh-call-with-passphrase');
  // The passphrase is in no event the engine kept.
  expect(JSON.stringify(e2e.ui.engine.bus.recent())).not.toContain(PASSPHRASE);
});

test('proxy: an unknown upstream host key is settled before the proxy starts, then a real brz goes through it', async () => {
  const { page } = e2e.ui;
  const knownHosts = emptyKnownHosts();
  await page.getByRole('tab', { name: 'Serve & proxy' }).click();
  await page.getByLabel('Upstream URL').fill(sshUrl());
  await fillSsh(e2e.hosts.env.SSH_KEY, knownHosts);
  await page.getByRole('button', { name: 'Start proxy' }).click();
  const prompt = page.getByTestId('host-key-prompt');
  await prompt.waitFor({ timeout: 20_000 });
  expect(await prompt.getByTestId('host-key-fingerprint').textContent()).toBe(hostFingerprint);
  expect(await page.locator('[data-testid^="owner-p"]').count()).toBe(0);
  await prompt.getByTestId('trust-host-key').click();
  const card = page.locator('[data-testid^="owner-p"]').filter({ hasText: 'bzr+ssh://' }).first();
  const url = ((await card.getByTestId('owner-url').first().textContent()) ?? '').replace(/\/$/, '');
  expect(readFileSync(knownHosts, 'utf8')).toContain('ssh-ed25519');
  const { stdout } = await promisify(execFile)('brz', ['log', '--line', `${url}${e2e.hosts.env.REPOS}/trunk`], { env: e2e.hosts.brzEnv(), timeout: 30_000 });
  expect(stdout).toMatch(/Initial import/);
  await e2e.ui.screenshot('ssh-proxy-after-trust');
  await card.getByRole('button', { name: 'Stop' }).click();
  await card.waitFor({ state: 'detached' });
});

test("the embedded SSH server's card copies its known_hosts line and a BRZ_SSH recipe that works as copied", async () => {
  const { page } = e2e.ui;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('tab', { name: 'Serve & proxy' }).click();
  await page.getByLabel('Directory').fill(e2e.hosts.env.REPOS);
  await page.getByText('Also serve bzr+ssh://').click();
  await page.getByLabel('Authorized keys file').fill(`${e2e.hosts.env.SSH_KEY}.pub`);
  await page.getByLabel('Host key file').fill(join(e2e.hosts.dir, 'ssh_host_ed25519_key'));
  await page.getByRole('button', { name: 'Start server' }).click();
  const card = page.locator('[data-testid^="owner-s"]').filter({ hasText: 'bzr+ssh://' }).first();
  await card.waitFor();
  const trust = card.getByTestId('ssh-trust');
  await trust.locator('summary').click();
  expect(await trust.locator('summary').textContent()).toContain(hostFingerprint);
  await trust.getByTestId('copy-known-hosts').click();
  await expect.poll(() => trust.getByTestId('copy-known-hosts').textContent()).toBe('Copied');
  const line = (await page.evaluate('navigator.clipboard.readText()')) as string;
  const sshUrlOfServer = (await card.getByTestId('owner-url').nth(1).textContent()) ?? '';
  const port = Number(new URL(sshUrlOfServer).port);
  expect(line).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${port} ssh-ed25519 \\S+$`));
  await trust.getByTestId('copy-brz-ssh').click();
  await expect.poll(() => trust.getByTestId('copy-brz-ssh').textContent()).toBe('Copied');
  const recipe = (await page.evaluate('navigator.clipboard.readText()')) as string;
  await e2e.ui.screenshot('ssh-server-card-recipe');

  // Run it as a user would paste it (the branch path added), with the test key in an agent.
  const agentDir = mkdtempSync(join(tmpdir(), 'hpss-agent-'));
  const socket = join(agentDir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 250 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
    execFileSync('ssh-add', ['-q', e2e.hosts.env.SSH_KEY], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    const { stdout } = await promisify(execFile)('sh', ['-c', `${recipe}trunk`], { env: { ...e2e.hosts.brzEnv(), BRZ_SSH: '', SSH_AUTH_SOCK: socket }, timeout: 30_000 });
    expect(stdout).toMatch(/Initial import/);
  } finally {
    agent.kill();
    rmSync(agentDir, { recursive: true, force: true });
    rmSync(recipeDir(port), { recursive: true, force: true });
  }
  await card.getByRole('button', { name: 'Stop' }).click();
  await card.waitFor({ state: 'detached' });
  expect(e2e.ui.pageErrors).toEqual([]);
});

test('proxy: an upstream check that fails otherwise (a changed host key) is said at once; the proxy still starts', async () => {
  const { page } = e2e.ui;
  const changed = join(scratch, 'known_hosts_changed');
  writeFileSync(changed, `[127.0.0.1]:${e2e.hosts.env.SSH_PORT} ${readFileSync(`${e2e.hosts.env.SSH_KEY}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
  await page.getByRole('tab', { name: 'Serve & proxy' }).click();
  await page.getByLabel('Upstream URL').fill(sshUrl());
  await fillSsh(e2e.hosts.env.SSH_KEY, changed);
  await page.getByRole('button', { name: 'Start proxy' }).click();
  const notice = page.getByTestId('notice').filter({ hasText: 'The upstream check failed' }).first();
  await notice.waitFor({ timeout: 20_000 });
  expect(await notice.textContent()).toMatch(/has CHANGED: .* has SHA256:\S+, the server offered SHA256:\S+\. .*ssh-keygen -R/);
  expect(await page.getByTestId('host-key-prompt').count()).toBe(0);
  const card = page.locator('[data-testid^="owner-p"]').filter({ hasText: 'bzr+ssh://' }).first();
  await card.waitFor();
  await e2e.ui.screenshot('ssh-proxy-changed-host-key');
  await card.getByRole('button', { name: 'Stop' }).click();
  await card.waitFor({ state: 'detached' });
});
