import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { HPSS_BIN } from '../support/hpss-cli';
import { startTestHosts, type TestHosts } from '../support/test-hosts';

let hosts: TestHosts;
beforeAll(() => {
  hosts = startTestHosts();
});
afterAll(() => hosts?.stop());

function hpss(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number; stdout: string; stderr: string } {
  try {
    return { code: 0, stdout: execFileSync(process.execPath, [HPSS_BIN, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] }), stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: String(e.stdout), stderr: String(e.stderr) };
  }
}

test('hello over bzr://: status, args, protocol and timing', () => {
  const r = hpss(['call', hosts.env.BZR_URL, 'hello']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^protocol {2}v3$/m);
  expect(r.stdout).toMatch(/^status {4}S \(success\)$/m);
  expect(r.stdout).toMatch(/^args {6}\("ok", "2"\)$/m);
  expect(r.stdout).toMatch(/^time {6}connect [\d.]+ ms, call [\d.]+ ms$/m);
});

test('--body-file and --json: put a binary body, get it back as hex', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpss-call-'));
  const file = join(dir, 'body.bin');
  writeFileSync(file, Buffer.from([0, 1, 2, 0xff, 0x0a]));
  expect(hpss(['call', hosts.env.BZR_URL, 'put', '/call-body.bin', '', '--body-file', file]).code).toBe(0);
  const got = JSON.parse(hpss(['call', '--json', hosts.env.BZR_URL, 'get', '/call-body.bin']).stdout);
  expect(got).toMatchObject({ protocol: 3, status: 'S', args: ['ok'], body: { length: 5, parts: 1, hex: '000102ff0a' } });
  const byHex = JSON.parse(hpss(['call', '--json', hosts.env.BZR_URL, 'get', `hex:${Buffer.from('/call-body.bin').toString('hex')}`]).stdout);
  expect(byHex.body).toEqual(got.body);
  const text = hpss(['call', hosts.env.BZR_URL, 'get', '/call-body.bin']);
  expect(text.stdout).toContain('00000000  00 01 02 ff 0a');
});

test('an error response exits 3 and shows the error args', () => {
  const r = hpss(['call', hosts.env.BZR_URL, 'get', '/no-such-file']);
  expect(r.code).toBe(3);
  expect(r.stdout).toMatch(/^status {4}E \(error\)$/m);
  expect(r.stdout).toMatch(/^args {6}\("NoSuchFile", ".*no-such-file"\)$/m);
});

test('over bzr+ssh:// with --identity and --known-hosts, BZR_REMOTE_PATH naming the remote brz', () => {
  const url = `bzr+ssh://${hosts.env.SSH_USER}@127.0.0.1:${hosts.env.SSH_PORT}/`;
  const r = hpss(
    ['call', url, 'BzrDir.open_2.1', `${hosts.env.REPOS.slice(1)}/trunk/`, '--identity', hosts.env.SSH_KEY, '--known-hosts', hosts.env.SSH_KNOWN_HOSTS],
    { ...process.env, BZR_REMOTE_PATH: 'brz', SSH_AUTH_SOCK: '' },
  );
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/^args {6}\("yes", "no"\)$/m);
});

test('a closed port fails with Breezy\'s text and exit 1; a bad scheme is a usage error', () => {
  const r = hpss(['call', 'bzr://127.0.0.1:1/', 'hello']);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('hpss call: failed to connect to 127.0.0.1:1: Connection refused\n');
  const s = hpss(['call', 'http://127.0.0.1/', 'hello']);
  expect(s.code).toBe(2);
});
