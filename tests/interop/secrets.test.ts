/**
 * Planted secrets (the password of a bzr+ssh:// or bzr:// URL, the passphrase of an
 * encrypted identity file) appear in no output of
 * any command: `hpss call` and `hpss probe` (text and --json, success and failure),
 * `hpss proxy --trace` (stdout, stderr, trace file), `hpss serve --trace`, and the UI
 * (API answers, the event WebSocket, a proxy's trace). Real sshd and brz serve.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBrowserShell, type BrowserShell } from '../../src/main/app/browser-shell';
import { Engine } from '../../src/main/engine/engine';
import { realBackends } from '../../src/main/engine/real-backends';
import { HPSS_BIN, startHpss } from '../support/hpss-cli';
import { startTestHosts, type TestHosts } from '../support/test-hosts';

const SECRET = 'PLANTEDs3cr3tPW';
const run = promisify(execFile);
let hosts: TestHosts;
let scratch: string;
/** The authorized test key, encrypted with SECRET as its passphrase. */
let encryptedKey: string;

beforeAll(() => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-secrets-'));
  encryptedKey = join(scratch, 'id_encrypted');
  writeFileSync(encryptedKey, readFileSync(hosts.env.SSH_KEY), { mode: 0o600 });
  execFileSync('ssh-keygen', ['-q', '-p', '-N', SECRET, '-f', encryptedKey], { stdio: 'ignore' });
});
afterAll(() => {
  hosts?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** The URL with the secret as its password. */
function withSecret(url: string, user = hosts.env.SSH_USER): string {
  return url.replace(/^(bzr(?:\+ssh)?:\/\/)(?:[^@/]*@)?/, `$1${user}:${SECRET}@`);
}

async function hpss(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [HPSS_BIN, ...args], { timeout: 30_000, env: { ...process.env, KEY_PASS: SECRET, WRONG_PASS: 'wrong' } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

const sshOptions = () => ['--identity', hosts.env.SSH_KEY, '--known-hosts', hosts.env.SSH_KNOWN_HOSTS];

describe('the CLI', () => {
  test('call and probe, text and --json, on success and on failure', async () => {
    const good = withSecret(`${hosts.env.BZR_SSH_URL}trunk`);
    const refused = withSecret('bzr+ssh://127.0.0.1:1/x');
    const badKeys = join(scratch, 'empty_known_hosts');
    writeFileSync(badKeys, '');
    const runs = [
      { args: ['call', good, 'hello', ...sshOptions()], code: 0 },
      { args: ['call', good, 'hello', '--json', ...sshOptions()], code: 0 },
      { args: ['call', refused, 'hello'], code: 1 },
      { args: ['call', refused, 'hello', '--json'], code: 1 },
      { args: ['call', good, 'hello', '--identity', hosts.env.SSH_KEY, '--known-hosts', badKeys], code: 1 },
      { args: ['call', `${good}%zz%`, 'hello', '--json'], code: null },
      { args: ['probe', good, ...sshOptions()], code: 0 },
      { args: ['probe', good, '--json', ...sshOptions()], code: 0 },
      { args: ['probe', refused], code: 1 },
      { args: ['probe', refused, '--json'], code: 1 },
      { args: ['probe', withSecret('ssh://127.0.0.1:1/x')], code: 1 },
      { args: ['probe', good, '--known-hosts', badKeys, '--identity', hosts.env.SSH_KEY], code: 1 },
      { args: ['call', good, 'hello', '--identity', encryptedKey, '--known-hosts', hosts.env.SSH_KNOWN_HOSTS, '--passphrase-env', 'KEY_PASS', '--json'], code: 0 },
      { args: ['probe', good, '--identity', encryptedKey, '--known-hosts', hosts.env.SSH_KNOWN_HOSTS, '--passphrase-env', 'KEY_PASS', '--json'], code: 0 },
      { args: ['call', refused, 'hello', '--identity', encryptedKey, '--passphrase-env', 'KEY_PASS'], code: 1 },
    ];
    for (const r of runs) {
      const { code, out } = await hpss(r.args);
      if (r.code !== null) expect(code, `${r.args.join(' ')}\n${out}`).toBe(r.code);
      expect(out.length, r.args.join(' ')).toBeGreaterThan(0);
      expect(out, r.args.join(' ')).not.toContain(SECRET);
    }
  });

  test('proxy --trace and serve --trace: stdout, stderr and the trace file', async () => {
    const proxyTrace = join(scratch, 'proxy.jsonl');
    const proxy = startHpss(['proxy', withSecret(hosts.env.BZR_SSH_URL), '--listen', '127.0.0.1:0', '--trace', proxyTrace, ...sshOptions()]);
    const [, proxyUrl] = await proxy.waitFor(/listening on (bzr:\/\/\S+)/);
    const throughProxy = await hpss(['call', proxyUrl, 'hello']);
    expect(throughProxy.code).toBe(0);
    await proxy.stop();

    const serveTrace = join(scratch, 'serve.jsonl');
    const serve = startHpss(['serve', hosts.env.REPOS, '--listen', '127.0.0.1:0', '--trace', serveTrace]);
    const [, serveUrl] = await serve.waitFor(/listening on (bzr:\/\/\S+)/);
    const toServe = await hpss(['call', withSecret(serveUrl, 'joe'), 'hello', '--json']);
    expect(toServe.code).toBe(0);
    await serve.stop();

    const proxyTraceText = readFileSync(proxyTrace, 'utf8');
    expect(proxyTraceText).toContain('call-finished'); // the trace did record the relayed call
    for (const text of [proxy.stdout(), proxy.stderr(), proxyTraceText, throughProxy.out, serve.stdout(), serve.stderr(), readFileSync(serveTrace, 'utf8'), toServe.out]) {
      expect(text).not.toContain(SECRET);
    }
  });
});

describe('the UI', () => {
  let engine: Engine;
  let shell: BrowserShell;
  beforeAll(async () => {
    const renderer = join(scratch, 'renderer');
    engine = new Engine(realBackends);
    rmSync(renderer, { recursive: true, force: true });
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html>');
    shell = await startBrowserShell({ engine, listen: '127.0.0.1:0', rendererDir: renderer });
  });
  afterAll(async () => {
    await shell?.stop();
    await engine?.shutdown();
  });

  async function api(command: string, args: unknown): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${shell.port}/api/${command}`, { method: 'POST', headers: { 'X-HPSS-Token': shell.token }, body: JSON.stringify(args) });
    return res.text();
  }

  /** Every byte the event WebSocket sends while `work` runs, and for `settleMs` after. */
  async function wsTraffic(work: () => Promise<string[]>, settleMs = 1_500): Promise<{ ws: string; answers: string[] }> {
    const socket = connect(shell.port, '127.0.0.1');
    let ws = '';
    socket.on('data', (c: Buffer) => (ws += c.toString('latin1')));
    socket.write(
      [`GET /events?token=${shell.token} HTTP/1.1`, `Host: 127.0.0.1:${shell.port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', '', ''].join('\r\n'),
    );
    await new Promise((r) => socket.once('data', r));
    const answers = await work();
    await new Promise((r) => setTimeout(r, settleMs));
    socket.destroy();
    return { ws, answers };
  }

  test('probe, call and a traced proxy started from the UI', async () => {
    const trace = join(scratch, 'ui-proxy.jsonl');
    const ssh = { identity: hosts.env.SSH_KEY, knownHosts: hosts.env.SSH_KNOWN_HOSTS };
    const { ws, answers } = await wsTraffic(async () => {
      const out: string[] = [];
      out.push(await api('ui:probe:start', { url: withSecret(hosts.env.BZR_SSH_URL), ...ssh }));
      out.push(await api('ui:probe:start', { url: withSecret('bzr+ssh://127.0.0.1:1/x') }));
      out.push(await api('ui:call:send', { url: withSecret(hosts.env.BZR_SSH_URL), verb: 'hello', args: [], ...ssh }));
      out.push(await api('ui:call:send', { url: withSecret('bzr+ssh://127.0.0.1:1/x'), verb: 'hello', args: [] }));
      out.push(await api('ui:call:send', { url: `${withSecret('bzr+ssh://h/')}%zz`, verb: 'hello', args: [] }));
      const encrypted = { identity: encryptedKey, knownHosts: hosts.env.SSH_KNOWN_HOSTS, passphrase: SECRET };
      out.push(await api('ui:probe:start', { url: `${hosts.env.BZR_SSH_URL}trunk`, ...encrypted }));
      out.push(await api('ui:call:send', { url: hosts.env.BZR_SSH_URL, verb: 'hello', args: [], ...encrypted }));
      out.push(await api('ui:call:send', { url: hosts.env.BZR_SSH_URL, verb: 'hello', args: [], ...encrypted, acceptNewHostKey: SECRET }));
      const started = await api('ui:proxy:start', { upstream: withSecret(hosts.env.BZR_SSH_URL), listen: '127.0.0.1:0', trace, ...ssh, identity: encryptedKey, passphrase: SECRET });
      out.push(started);
      const { data } = JSON.parse(started) as { data: { ownerId: string; urls: string[] } };
      out.push(await api('ui:call:send', { url: data.urls[0], verb: 'hello', args: [] }));
      out.push(await api('ui:owners:list', null));
      out.push(await api('ui:owner:stop', { ownerId: data.ownerId }));
      out.push(await api('ui:events:replay', null));
      return out;
    });
    expect(ws).toContain('probe-verdict');
    expect(ws).toContain('call-finished');
    for (const text of [...answers, ws, readFileSync(trace, 'utf8')]) expect(text).not.toContain(SECRET);
  });
});
