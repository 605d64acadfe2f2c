/**
 * Trust on bzr+ssh:// against the real loopback sshd: a new host key accepted after its
 * fingerprint is shown (and written to known_hosts), a changed key refused with both
 * fingerprints and the `ssh-keygen -R` line, an encrypted identity file opened with its
 * passphrase (`--passphrase-env`, a prompt on a real terminal, the API field) and a
 * verdict that says "key passphrase" when that is the fault.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { fingerprint } from '../../src/main/medium/ssh/known-hosts';
import { runProbe, type ProbeOptions, type ProbeResult } from '../../src/main/probe/probe';
import { HPSS_BIN } from '../support/hpss-cli';
import { requireTool, startTestHosts, type TestHosts } from '../support/test-hosts';

const PASSPHRASE = 'correct horse battery';
const run = promisify(execFile);
let hosts: TestHosts;
let scratch: string;
/** A copy of the authorized test key, encrypted with PASSPHRASE by ssh-keygen. */
let encryptedKey: string;
let hostKeyFingerprint: string;
let otherFingerprint: string;

beforeAll(() => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-trust-'));
  encryptedKey = join(scratch, 'id_encrypted');
  copyFileSync(hosts.env.SSH_KEY, encryptedKey);
  execFileSync('ssh-keygen', ['-q', '-p', '-N', PASSPHRASE, '-f', encryptedKey], { stdio: 'ignore' });
  const known = readFileSync(hosts.env.SSH_KNOWN_HOSTS, 'utf8').split('\n').find((l) => l.includes('ssh-ed25519'))!;
  hostKeyFingerprint = fingerprint(Buffer.from(known.split(' ')[2], 'base64'));
  otherFingerprint = fingerprint(Buffer.from(readFileSync(`${hosts.env.SSH_KEY}.pub`, 'utf8').split(' ')[1], 'base64'));
});
afterAll(() => {
  hosts?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const sshUrl = () => `bzr+ssh://${hosts.env.SSH_USER}@127.0.0.1:${hosts.env.SSH_PORT}${hosts.env.REPOS}/trunk`;
const hostName = () => `[127.0.0.1]:${hosts.env.SSH_PORT}`;
let fileCount = 0;
function scratchFile(text: string): string {
  const file = join(scratch, `f${++fileCount}`);
  writeFileSync(file, text);
  return file;
}
/** known_hosts naming the server with another ed25519 key: the server's key "changed". */
const changedKnownHosts = () => scratchFile(`${hostName()} ${readFileSync(`${hosts.env.SSH_KEY}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);

async function probe(opts: Partial<ProbeOptions>): Promise<ProbeResult> {
  return runProbe(sshUrl(), { bus: new EventBus(), ids: new IdSource(), timeoutMs: 15_000, identityFile: hosts.env.SSH_KEY, knownHostsFile: hosts.env.SSH_KNOWN_HOSTS, env: { BZR_REMOTE_PATH: 'brz' }, ...opts });
}
const lastStep = (r: ProbeResult) => r.steps.at(-1)!;

async function hpss(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [HPSS_BIN, ...args], { timeout: 30_000, env: { ...process.env, BZR_REMOTE_PATH: 'brz', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('host keys', () => {
  test('probe: a new key is accepted (any, or only the fingerprint shown) and written to known_hosts', async () => {
    const file = join(scratch, 'new', 'known_hosts'); // folder and file do not exist yet
    const refused = await probe({ knownHostsFile: file });
    expect(lastStep(refused).step).toBe('host-key');
    expect(refused.verdict).toContain(hostKeyFingerprint);
    const wrong = await probe({ knownHostsFile: file, acceptNewHostKey: otherFingerprint });
    expect(wrong.verdict).toMatch(/not known/);
    const accepted = await probe({ knownHostsFile: file, acceptNewHostKey: hostKeyFingerprint });
    expect(accepted.ok).toBe(true);
    expect(accepted.steps.find((s) => s.step === 'host-key')!.detail).toBe(`ssh-ed25519 ${hostKeyFingerprint} accepted as a new key for ${hostName()}; added to ${file} line 1`);
    expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${hosts.env.SSH_PORT} ssh-ed25519 [A-Za-z0-9+/=]+\\n$`));
    const again = await probe({ knownHostsFile: file });
    expect(again.ok).toBe(true);
    expect(again.steps.find((s) => s.step === 'host-key')!.detail).toMatch(/matches .* line 1$/);
  });

  test('a changed key is never accepted; the error shows both fingerprints and the ssh-keygen -R line', async () => {
    const file = changedKnownHosts();
    const before = readFileSync(file, 'utf8');
    const result = await probe({ knownHostsFile: file, acceptNewHostKey: 'any' });
    expect(result.ok).toBe(false);
    expect(lastStep(result).detail).toContain(`${file} line 1 has ${otherFingerprint}, the server offered ${hostKeyFingerprint}`);
    expect(result.fix).toContain(`ssh-keygen -R '${hostName()}' -f '${file}'`);
    expect(readFileSync(file, 'utf8')).toBe(before);

    const cli = await hpss(['call', sshUrl(), 'hello', '--identity', hosts.env.SSH_KEY, '--known-hosts', file, '--accept-new-host-key']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(otherFingerprint);
    expect(cli.stderr).toContain(hostKeyFingerprint);
    expect(cli.stderr).toContain(`ssh-keygen -R '${hostName()}' -f '${file}'`);
  });

  test('hpss call --accept-new-host-key shows the fingerprint and writes the key; without it the call fails', async () => {
    const file = scratchFile('# mine\n');
    const refused = await hpss(['call', sshUrl(), 'hello', '--identity', hosts.env.SSH_KEY, '--known-hosts', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(hostKeyFingerprint);
    const accepted = await hpss(['call', sshUrl(), 'hello', '--identity', hosts.env.SSH_KEY, '--known-hosts', file, '--accept-new-host-key']);
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toContain(`hpss call: host key: ssh-ed25519 ${hostKeyFingerprint} accepted as a new key for ${hostName()}; added to ${file} line 2`);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('# mine');
    expect((await hpss(['call', sshUrl(), 'hello', '--identity', hosts.env.SSH_KEY, '--known-hosts', file])).code).toBe(0);
  });

  test('hpss proxy --accept-new-host-key settles the key before listening, then relays', async () => {
    const file = scratchFile('');
    const proxy = spawn(process.execPath, [HPSS_BIN, 'proxy', sshUrl().replace(/trunk$/, ''), '--listen', '127.0.0.1:0', '--identity', hosts.env.SSH_KEY, '--known-hosts', file, '--accept-new-host-key'], {
      env: { ...process.env, BZR_REMOTE_PATH: 'brz' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proxy.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proxy.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      for (let i = 0; i < 300 && !/listening on/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      expect(err).toContain(`upstream host key: ssh-ed25519 ${hostKeyFingerprint} accepted as a new key`);
      const url = /listening on (\S+)/.exec(out)![1];
      expect((await hpss(['call', url, 'hello'])).code).toBe(0);
      expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    } finally {
      proxy.kill();
    }
  });
});

describe('an encrypted identity file', () => {
  test('probe: no passphrase or a wrong one is a "key passphrase" verdict, the right one logs in', async () => {
    for (const passphrase of [undefined, 'wrong one']) {
      const r = await probe({ identityFile: encryptedKey, passphrase });
      expect(lastStep(r)).toMatchObject({ step: 'authentication', ok: false });
      expect(r.verdict).toMatch(/^key passphrase: /);
      expect(r.verdict).toContain(encryptedKey);
      expect(r.fix).toMatch(/--passphrase-env/);
      expect(JSON.stringify(r)).not.toContain('wrong one');
    }
    const ok = await probe({ identityFile: encryptedKey, passphrase: PASSPHRASE });
    expect(ok.ok).toBe(true);
    expect(JSON.stringify(ok)).not.toContain(PASSPHRASE);
  });

  test('hpss call --passphrase-env VAR; without it (no terminal) the error names the passphrase', async () => {
    const base = ['call', sshUrl(), 'hello', '--identity', encryptedKey, '--known-hosts', hosts.env.SSH_KNOWN_HOSTS];
    const missing = await hpss(base);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/key passphrase: the identity file .* is encrypted/);
    const ok = await hpss([...base, '--passphrase-env', 'MY_KEY_PASS', '--json'], { MY_KEY_PASS: PASSPHRASE });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'S' });
    expect(ok.stdout + ok.stderr).not.toContain(PASSPHRASE);
    const unset = await hpss([...base, '--passphrase-env', 'NOT_SET_ANYWHERE']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('NOT_SET_ANYWHERE is not set');
  });

  test('on a terminal, hpss probe asks for the passphrase without echoing it', async () => {
    requireTool('script', 'util-linux');
    const command = [process.execPath, HPSS_BIN, 'probe', sshUrl(), '--identity', encryptedKey, '--known-hosts', hosts.env.SSH_KNOWN_HOSTS].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, BZR_REMOTE_PATH: 'brz' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    for (let i = 0; i < 200 && !out.includes('Enter passphrase'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain(`Enter passphrase for key '${encryptedKey}': `);
    child.stdin.write(`${PASSPHRASE}\r`);
    const timer = setTimeout(() => child.kill(), 20_000);
    const code = await exited;
    clearTimeout(timer);
    expect(out).toMatch(/ok {3}authentication/);
    expect(out).not.toContain(PASSPHRASE);
    expect(code).toBe(0);
  });
});

test('~ in the key and known_hosts paths is the home folder (no shell expands it for the UI)', async () => {
  const home = mkdtempSync(join(scratch, 'home-'));
  copyFileSync(hosts.env.SSH_KEY, join(home, 'id'));
  copyFileSync(hosts.env.SSH_KNOWN_HOSTS, join(home, 'kh'));
  const r = await hpss(['call', sshUrl(), 'hello', '--identity', '~/id', '--known-hosts', '~/kh'], { HOME: home });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
