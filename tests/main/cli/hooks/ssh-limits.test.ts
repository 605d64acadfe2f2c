/**
 * `hpss serve --ssh-listen` with its admission limits lowered by flag (the built CLI, real
 * sockets, a real OpenSSH client): past `--ssh-max-unauthenticated` or
 * `--ssh-max-connections` the next connection is closed at once and stderr says which cap;
 * `--ssh-login-timeout` cuts a connection that never logs in.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { knownHostsLine, loadHostKey } from '../../../../src/main/server/ssh/host-key';
import { makeClientKey, sshWrapper } from '../../../support/brz-ssh';
import { startHpss, type HpssProcess } from '../../../support/hpss-cli';
import { requireTool } from '../../../support/test-hosts';
import { HELLO_ANSWER, V3_HELLO } from '../../../support/v3-bytes';

let dir: string;
let key: string;
const running: HpssProcess[] = [];

beforeAll(() => {
  requireTool('ssh', 'openssh-client');
  dir = mkdtempSync(join(tmpdir(), 'hpss-ssh-limits-'));
  key = makeClientKey(dir, 'me');
  makeClientKey(dir, 'host_key');
});
afterAll(async () => {
  for (const p of running) await p.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function serve(...limits: string[]): Promise<{ hpss: HpssProcess; port: number }> {
  const hpss = startHpss(['serve', dir, '--backend', 'builtin', '--listen', '127.0.0.1:0', '--ssh-listen', '127.0.0.1:0', '--authorized-keys', `${key}.pub`, '--host-key', join(dir, 'host_key'), ...limits]);
  running.push(hpss);
  const m = await hpss.waitFor(/listening on bzr\+ssh:\/\/127\.0\.0\.1:(\d+)\//);
  return { hpss, port: Number(m[1]) };
}

/** A raw TCP connection that never logs in; `closed` resolves with ms from connect to the server's close. */
async function silent(port: number): Promise<{ socket: Socket; closed: Promise<number> }> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const t0 = Date.now();
  socket.on('error', () => undefined);
  socket.resume();
  return { socket, closed: new Promise((resolve) => socket.once('close', () => resolve(Date.now() - t0))) };
}

test('--ssh-max-unauthenticated 1 refuses the next connection at once; --ssh-login-timeout 1 cuts the silent one', async () => {
  const { hpss, port } = await serve('--ssh-max-unauthenticated', '1', '--ssh-login-timeout', '1');
  const first = await silent(port);
  const second = await silent(port);
  expect(await second.closed).toBeLessThan(500);
  await hpss.waitFor(/ssh: refused 1 connection\(s\): 1 logging in \(max 1\), 1 open \(max 256\)/, 'stderr', 5_000);
  const cutAfter = await first.closed;
  expect(cutAfter).toBeGreaterThanOrEqual(900);
  expect(cutAfter).toBeLessThan(5_000);
  await hpss.waitFor(/ssh client 127\.0\.0\.1:\d+: no login within 1 s; disconnected/, 'stderr', 1_000);
});

test('--ssh-max-connections 1: with one session logged in, the next connection is refused at once', async () => {
  const { hpss, port } = await serve('--ssh-max-connections', '1');
  // The server's host key, trusted for this one port.
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, knownHostsLine('127.0.0.1', port, loadHostKey(join(dir, 'host_key')).key) + '\n');
  const ssh = spawn(sshWrapper(dir, key, knownHosts), ['-p', String(port), 'me@127.0.0.1', 'bzr serve --inet --directory=/'], { stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    // Logged in and served: hello answered over the session, which stays open.
    const answered = await new Promise<string>((resolve, reject) => {
      let got = '';
      const timer = setTimeout(() => reject(new Error(`no hello answer over ssh: ${got}`)), 15_000);
      ssh.stdout.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (got.endsWith(HELLO_ANSWER)) {
          clearTimeout(timer);
          resolve(got);
        }
      });
      ssh.stdin.write(V3_HELLO);
    });
    expect(answered).toContain(HELLO_ANSWER);
    const next = await silent(port);
    expect(await next.closed).toBeLessThan(500);
    await hpss.waitFor(/ssh: refused 1 connection\(s\): 0 logging in \(max 64\), 1 open \(max 1\)/, 'stderr', 5_000);
  } finally {
    ssh.stdin.end();
    await new Promise((resolve) => (ssh.exitCode === null ? ssh.once('exit', resolve) : resolve(null)));
  }
});

test('a bad limit is a usage error naming the flag; a limit without --ssh-listen is refused', async () => {
  const bad = startHpss(['serve', dir, '--ssh-listen', '127.0.0.1:0', '--authorized-keys', `${key}.pub`, '--ssh-login-timeout', '0']);
  expect(await bad.exited()).toBe(2);
  expect(bad.stderr()).toContain("--ssh-login-timeout: '0' is not a number of seconds from 0.1 to 3600");
  const alone = startHpss(['serve', dir, '--ssh-max-connections', '4']);
  expect(await alone.exited()).toBe(2);
  expect(alone.stderr()).toContain('--ssh-listen HOST:PORT and --authorized-keys FILE go together (and --ssh-max-connections needs them)');
});
