/**
 * The embedded SSH server's admission: 500 connections that never log in (silent, or
 * stopping after the version line) are not all held — at most the cap at once, each
 * cut at the login timeout — and a real OpenSSH client logs in once the flood is over.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EventBus } from '../../../../src/main/bus/event-bus';
import { readAuthorizedKeys } from '../../../../src/main/server/ssh/authorized-keys';
import { knownHostsLine, loadHostKey } from '../../../../src/main/server/ssh/host-key';
import { startSshServer, type SshListener } from '../../../../src/main/server/ssh/ssh-server';
import { makeClientKey, sshWrapper } from '../../../support/brz-ssh';
import { requireTool } from '../../../support/test-hosts';

const LOGIN_TIMEOUT_MS = 1_500;
const MAX_UNAUTHENTICATED = 20;
const run = promisify(execFile);
let dir: string;
let listener: SshListener;
let wrapper: string;
const bus = new EventBus();

beforeAll(async () => {
  requireTool('ssh', 'openssh-client');
  dir = mkdtempSync(join(tmpdir(), 'hpss-ssh-admission-'));
  makeClientKey(dir, 'me');
  const hostKey = loadHostKey(undefined, { XDG_STATE_HOME: join(dir, 'state') });
  listener = await startSshServer({
    host: '127.0.0.1',
    port: 0,
    hostKey,
    authorizedKeys: readAuthorizedKeys(join(dir, 'me.pub')),
    bus,
    ownerId: 'admission',
    limits: { loginTimeoutSec: LOGIN_TIMEOUT_MS / 1000, maxUnauthenticated: MAX_UNAUTHENTICATED },
    onSession: async ({ channel }) => {
      channel.write('hi\n');
      return 0;
    },
  });
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, knownHostsLine('127.0.0.1', listener.port, hostKey.key) + '\n');
  wrapper = sshWrapper(dir, join(dir, 'me'), knownHosts);
});
afterAll(async () => {
  await listener?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens `n` connections; half send the SSH version line and then nothing. Resolves when all are connected or closed. */
async function flood(n: number): Promise<{ sockets: Socket[]; open: () => number }> {
  const closed = new Set<Socket>();
  const sockets = await Promise.all(
    Array.from({ length: n }, (_, i) => new Promise<Socket>((resolve) => {
      const s = connect(listener.port, '127.0.0.1', () => {
        if (i % 2) s.write('SSH-2.0-silent\r\n');
        resolve(s);
      });
      s.on('error', () => undefined);
      s.resume(); // read (and drop) what the server says, so its close is seen
      s.on('close', () => {
        closed.add(s);
        resolve(s);
      });
    })),
  );
  return { sockets, open: () => sockets.filter((s) => !closed.has(s)).length };
}

test('500 connections that never log in: at most the cap is held, and none past the login timeout', async () => {
  const t0 = Date.now();
  const { sockets, open } = await flood(500);
  // The refusals land as fast as the server accepts; then only the cap is left, waiting.
  for (let i = 0; i < 100 && open() > MAX_UNAUTHENTICATED; i++) await new Promise((r) => setTimeout(r, 20));
  expect(open()).toBeLessThanOrEqual(MAX_UNAUTHENTICATED);
  expect(open()).toBeGreaterThan(0);
  expect(Date.now() - t0).toBeLessThan(LOGIN_TIMEOUT_MS);
  expect(bus.recent().some((e) => e.type === 'error' && /refused \d+ connection\(s\): 20 logging in \(max 20\)/.test(e.message))).toBe(true);
  for (let i = 0; i < 100 && open() > 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(open()).toBe(0);
  expect(Date.now() - t0).toBeLessThan(LOGIN_TIMEOUT_MS + 3_000);
  expect(bus.recent().some((e) => e.type === 'error' && /no login within 1\.5 s; disconnected/.test(e.message))).toBe(true);
  // Bounded reporting: one refusal event a second, not one per connection.
  expect(bus.recent().filter((e) => e.type === 'error' && /refused \d+ connection/.test(e.message)).length).toBeLessThanOrEqual(3);
  for (const s of sockets) s.destroy();

  const { stdout } = await run(wrapper, ['-p', String(listener.port), 'me@127.0.0.1', 'bzr serve --inet --directory=/'], { timeout: 15_000 });
  expect(stdout).toBe('hi\n');
});

test('a client that logs in is not cut at the login timeout', async () => {
  const child = execFile(wrapper, ['-p', String(listener.port), 'me@127.0.0.1', 'bzr serve --inet --directory=/']);
  const t0 = Date.now();
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  expect(code).toBe(0);
  expect(Date.now() - t0).toBeLessThan(LOGIN_TIMEOUT_MS);
});
