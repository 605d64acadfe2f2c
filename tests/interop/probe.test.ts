import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/shared/events';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { runProbe, type ProbeOptions, type ProbeResult } from '../../src/main/probe/probe';
import { HPSS_BIN } from '../support/hpss-cli';
import { startTestHosts, type TestHosts } from '../support/test-hosts';
import { V2_ONLY_BRZ } from '../support/v2-only-breezy';

let hosts: TestHosts;
let scratch: string;
const ids = new IdSource();
beforeAll(() => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-probe-'));
  mkdirSync(join(hosts.env.REPOS, 'plain'), { recursive: true });
});
afterAll(() => hosts?.stop());

async function probe(url: string, opts: Partial<ProbeOptions> = {}): Promise<{ result: ProbeResult; events: EngineEvent[] }> {
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  const result = await runProbe(url, { bus, ids, timeoutMs: 10_000, ...opts });
  return { result, events };
}

const sshUrl = (path = 'trunk') => `bzr+ssh://${hosts.env.SSH_USER}@127.0.0.1:${hosts.env.SSH_PORT}${hosts.env.REPOS}/${path}`;
const sshOpts = (extra: Partial<ProbeOptions> = {}): Partial<ProbeOptions> => ({
  identityFile: hosts.env.SSH_KEY,
  knownHostsFile: hosts.env.SSH_KNOWN_HOSTS,
  env: { BZR_REMOTE_PATH: 'brz' },
  ...extra,
});
const stepNames = (r: ProbeResult) => r.steps.map((s) => `${s.step}:${s.ok ? 'ok' : 'FAIL'}`);

describe('a smart server that answers', () => {
  test('bzr://: every step, then a branch; events mirror the result', async () => {
    const { result, events } = await probe(`${hosts.env.BZR_URL}trunk`);
    expect(stepNames(result)).toEqual(['url:ok', 'resolve:ok', 'tcp-connect:ok', 'hello:ok', 'protocol:ok', 'open-bzrdir:ok', 'open-branch:ok']);
    expect(result).toMatchObject({ ok: true, serverAnswered: true, protocol: 3 });
    expect(result.verdict).toMatch(/^a Bazaar smart server answered \(protocol v3\); \/trunk is a branch/);
    expect(result.steps.find((s) => s.step === 'hello')!.bytes).toBeGreaterThan(0);
    const probeEvents = events.filter((e) => e.type === 'probe-step' || e.type === 'probe-verdict');
    expect(probeEvents).toHaveLength(result.steps.length + 1);
    expect(probeEvents.at(-1)).toMatchObject({ type: 'probe-verdict', ok: true, probeId: result.probeId });
  });

  test('bzr+ssh://: handshake, host key (hashed known_hosts), auth, remote command and where its name came from', async () => {
    const hashed = join(scratch, 'known_hosts_hashed');
    copyFileSync(hosts.env.SSH_KNOWN_HOSTS, hashed);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/);
    const { result } = await probe(sshUrl(), sshOpts({ knownHostsFile: hashed }));
    expect(stepNames(result)).toEqual([
      'url:ok', 'resolve:ok', 'tcp-connect:ok', 'ssh-handshake:ok', 'host-key:ok', 'authentication:ok', 'remote-command:ok',
      'hello:ok', 'protocol:ok', 'open-bzrdir:ok', 'open-branch:ok',
    ]);
    expect(result.steps[0].detail).toContain("remote command 'brz serve --inet --directory=/ --allow-writes' (BZR_REMOTE_PATH=brz)");
    expect(result.ok).toBe(true);
  });

  test('a pre-1.6 server: v3 is not understood, the probe falls back to v2 as brz does', async () => {
    const script = join(scratch, 'brz-v2-only.py');
    writeFileSync(script, V2_ONLY_BRZ);
    const { result } = await probe(sshUrl(), sshOpts({ env: { BZR_REMOTE_PATH: `/usr/bin/python3 ${script}` } }));
    // The fallback reconnects (twice, as brz: v3 again, then v2), so the connection steps repeat before `protocol`.
    const names = stepNames(result);
    expect(names.slice(0, 9)).toEqual([
      'url:ok', 'resolve:ok', 'tcp-connect:ok', 'ssh-handshake:ok', 'host-key:ok', 'authentication:ok', 'remote-command:ok', 'hello:ok', 'resolve:ok',
    ]);
    expect(names.slice(-3)).toEqual(['protocol:ok', 'open-bzrdir:ok', 'open-branch:ok']);
    expect(names.every((n) => n.endsWith(':ok'))).toBe(true);
    expect(result.steps.find((s) => s.step === 'hello')!.detail).toMatch(/^v3 not understood; the server answered in v1: "error\\u0001Generic bzr smart protocol error: bad request/);
    expect(result).toMatchObject({ ok: true, protocol: 2 });
  });

  test('the remote name defaults to bzr, as in Breezy', async () => {
    const { result } = await probe(sshUrl(), sshOpts({ env: {} }));
    expect(result.steps[0].detail).toContain("remote command 'bzr serve --inet --directory=/ --allow-writes' (Breezy's default");
  });
});

describe('each failure, produced for real, with its own verdict', () => {
  test('closed port', async () => {
    const port = await closedPort();
    const { result } = await probe(`bzr://127.0.0.1:${port}/trunk`);
    expect(stepNames(result).at(-1)).toBe('tcp-connect:FAIL');
    expect(result).toMatchObject({ ok: false, serverAnswered: false });
    expect(result.verdict).toBe(`nothing is listening on 127.0.0.1:${port} (failed to connect to 127.0.0.1:${port}: Connection refused)`);
    expect(result.fix).toMatch(/wrong port or no server: bzr:\/\/ defaults to 4155/);
  });

  test('unknown host key', async () => {
    const empty = join(scratch, 'empty');
    writeFileSync(empty, '');
    const { result } = await probe(sshUrl(), sshOpts({ knownHostsFile: empty }));
    expect(stepNames(result).at(-1)).toBe('host-key:FAIL');
    expect(result.verdict).toMatch(/^the server's host key is not known: .*no ssh-ed25519 host key is known for \[127\.0\.0\.1\]:\d+/);
    expect(result.fix).toMatch(/--accept-new-host-key/);
  });

  test('changed host key', async () => {
    const changed = join(scratch, 'changed');
    const other = readFileSync(`${hosts.env.SSH_KEY}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(changed, `[127.0.0.1]:${hosts.env.SSH_PORT} ${other}\n`);
    const { result } = await probe(sshUrl(), sshOpts({ knownHostsFile: changed }));
    expect(stepNames(result).at(-1)).toBe('host-key:FAIL');
    expect(result.verdict).toMatch(/^the server's host key has CHANGED/);
    expect(result.fix).toContain(`ssh-keygen -R '[127.0.0.1]:${hosts.env.SSH_PORT}'`);
  });

  test('key refused', async () => {
    const key = join(scratch, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key], { stdio: 'ignore' });
    const { result } = await probe(sshUrl(), sshOpts({ identityFile: key }));
    expect(stepNames(result).at(-1)).toBe('authentication:FAIL');
    expect(result.verdict).toMatch(/^the server refused our key: Permission denied/);
    expect(result.fix).toContain(`${key}.pub`);
  });

  test('missing remote command: the remote stderr explains it', async () => {
    const { result } = await probe(sshUrl(), sshOpts({ env: { BZR_REMOTE_PATH: '/nonexistent/bzr' } }));
    expect(stepNames(result).slice(-2)).toEqual(['remote-command:ok', 'hello:FAIL']);
    expect(result.verdict).toMatch(/^the remote command did not start: .*exit status 127.*\/nonexistent\/bzr/);
    expect(result.fix).toContain('BZR_REMOTE_PATH=/nonexistent/bzr');
  });

  test('a remote shell printing on stdout: the bytes before the marker, as text and hex', async () => {
    const { result } = await probe(sshUrl(), sshOpts({ env: { BZR_REMOTE_PATH: 'echo Welcome to the box; brz' } }));
    expect(stepNames(result).at(-1)).toBe('hello:FAIL');
    expect(result.verdict).toBe(
      '19 bytes arrived before the protocol marker: "Welcome to the box\\n" hex 57656c636f6d6520746f2074686520626f780a — the remote shell prints on stdout before the server starts',
    );
  });

  test('not a branch, and no such path', async () => {
    const plain = await probe(`${hosts.env.BZR_URL}plain`);
    expect(stepNames(plain.result).at(-1)).toBe('open-bzrdir:FAIL');
    expect(plain.result).toMatchObject({ ok: false, serverAnswered: true, verdict: 'not a branch: /plain has no Bazaar control directory (.bzr)' });
    const missing = await probe(`${hosts.env.BZR_URL}no/such`);
    expect(missing.result.verdict).toBe('no such path on the server: /no/such');
  });

  test('something that is not a smart server (an SSH server on a bzr:// URL)', async () => {
    const { result } = await probe(`bzr://127.0.0.1:${hosts.env.SSH_PORT}/`);
    expect(stepNames(result).at(-1)).toBe('hello:FAIL');
    expect(result.verdict).toMatch(/^127\.0\.0\.1:\d+ is not a Bazaar smart server: it answered "SSH-2\.0-OpenSSH/);
    expect(result.fix).toBe('this is an SSH server: use a bzr+ssh:// URL');
  });

  test('ssh:// and bazaar.launchpad.net are answered without any network access', async () => {
    const ssh = await probe('ssh://me@example.invalid/srv/trunk');
    expect(ssh.result.verdict).toMatch(/^brz does not take ssh:\/\/ URLs/);
    expect(ssh.result.fix).toBe('use bzr+ssh://me@example.invalid/srv/trunk to run the smart server over SSH');
    expect(ssh.result.steps).toHaveLength(1);
    const lp = await probe('bzr+ssh://bazaar.launchpad.net/~me/project/trunk');
    expect(lp.result.verdict).toMatch(/^Launchpad ended Bazaar branch hosting in September 2025/);
    expect(lp.result.steps).toHaveLength(1);
  });
});

test('hpss probe exits 0 only when a smart server answered and the path opened', () => {
  const run = (url: string) => {
    try {
      return { code: 0, out: execFileSync(process.execPath, [HPSS_BIN, 'probe', url], { encoding: 'utf8' }) };
    } catch (err) {
      return { code: (err as { status: number }).status, out: String((err as { stdout: string }).stdout) };
    }
  };
  const good = run(`${hosts.env.BZR_URL}trunk`);
  expect(good.code).toBe(0);
  expect(good.out).toMatch(/ok {3}hello .*answered S \(ok, 2\)/);
  const plain = run(`${hosts.env.BZR_URL}plain`);
  expect(plain.code).toBe(1);
  expect(plain.out).toContain('verdict: not a branch');
  const json = JSON.parse(execFileSync(process.execPath, [HPSS_BIN, 'probe', '--json', `${hosts.env.BZR_URL}trunk`], { encoding: 'utf8' })) as ProbeResult;
  expect(json).toMatchObject({ ok: true, protocol: 3 });
});

test('hpss probe without any SSH credentials says so', () => {
  const env = { ...process.env, HOME: scratch, SSH_AUTH_SOCK: '' };
  let out = '';
  try {
    execFileSync(process.execPath, [HPSS_BIN, 'probe', sshUrl(), '--known-hosts', hosts.env.SSH_KNOWN_HOSTS], { encoding: 'utf8', env });
  } catch (err) {
    out = String((err as { stdout: string }).stdout);
  }
  expect(out).toMatch(/FAIL authentication .*no SSH credentials/);
  expect(out).toContain('fix:     pass a private key with --identity FILE, or start ssh-agent and ssh-add your key');
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
