/**
 * The embedded SSH server against real OpenSSH clients and a real brz. The session
 * handler here relays the channel's bytes to `brz serve --inet` untouched, so these
 * tests see the SSH layer alone; serving through a PipeServerMedium is tested in
 * tests/interop/ssh-serve.test.ts.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EventBus } from '../../../../src/main/bus/event-bus';
import { readAuthorizedKeys } from '../../../../src/main/server/ssh/authorized-keys';
import { knownHostsLine, loadHostKey } from '../../../../src/main/server/ssh/host-key';
import { startSshServer, type SshListener, type SshSessionHandler } from '../../../../src/main/server/ssh/ssh-server';
import { brzEnv as isolatedBrzEnv, makeClientKey, seedBranch, sshWrapper as makeWrapper } from '../../../support/brz-ssh';
import { requireTool } from '../../../support/test-hosts';

const run = promisify(execFile);
let dir: string;
let root: string;
let listener: SshListener;
let knownHosts: string;
const bus = new EventBus();
const brzEnv = (): NodeJS.ProcessEnv => isolatedBrzEnv(dir);
const sessions: string[] = [];

const relayToBrz: SshSessionHandler = ({ channel, request, peer }) =>
  new Promise((resolve) => {
    sessions.push(`${peer} ${request.directory}`);
    const child = spawn('brz', ['serve', '--inet', `--directory=${root}`], { env: brzEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    channel.pipe(child.stdin);
    child.stdout.pipe(channel, { end: false });
    child.stderr.pipe(channel.stderr, { end: false });
    child.on('close', (code) => resolve(code ?? 1));
  });

beforeAll(async () => {
  requireTool('brz', 'brz');
  requireTool('ssh', 'openssh-client');
  dir = mkdtempSync(join(tmpdir(), 'hpss-sshd-'));
  root = join(dir, 'served');
  for (const type of ['ed25519', 'rsa', 'ecdsa'] as const) makeClientKey(dir, type, type);
  makeClientKey(dir, 'stranger');
  execFileSync('sh', ['-c', `cat ${dir}/ed25519.pub ${dir}/rsa.pub ${dir}/ecdsa.pub > ${dir}/authorized_keys`]);
  seedBranch(root, brzEnv(), 'Seed over embedded ssh');

  const hostKey = loadHostKey(undefined, { XDG_STATE_HOME: join(dir, 'state') });
  listener = await startSshServer({
    host: '127.0.0.1',
    port: 0,
    hostKey,
    authorizedKeys: readAuthorizedKeys(join(dir, 'authorized_keys')),
    bus,
    ownerId: 'ssh-test',
    onSession: relayToBrz,
  });
  knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, knownHostsLine('127.0.0.1', listener.port, hostKey.key) + '\n');
});
afterAll(async () => {
  await listener?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An ssh wrapper for BRZ_SSH that logs in with `key` and checks our host key. */
const sshWrapper = (key: string, hosts = knownHosts): string => makeWrapper(dir, join(dir, key), hosts, `ssh_${key}_${hosts === knownHosts ? 'ok' : 'other'}`);

async function sshExec(key: string, command: string, hosts = knownHosts): Promise<{ code: number; stderr: string }> {
  try {
    const r = await run(sshWrapper(key, hosts), ['-p', String(listener.port), 'tester@127.0.0.1', command], { timeout: 15_000 });
    return { code: 0, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

test('prints a bzr+ssh URL on the chosen loopback port', () => {
  expect(listener.url).toBe(`bzr+ssh://127.0.0.1:${listener.port}/`);
  expect(bus.recent().some((e) => e.type === 'listener' && e.state === 'listening' && e.url === listener.url)).toBe(true);
});

test.each(['ed25519', 'rsa', 'ecdsa'])('a real brz log over bzr+ssh works with an authorized %s key', async (key) => {
  const { stdout } = await run('brz', ['log', '--line', `bzr+ssh://tester@127.0.0.1:${listener.port}/trunk`], {
    env: { ...brzEnv(), BRZ_SSH: sshWrapper(key) },
    timeout: 20_000,
  });
  expect(stdout).toMatch(/Seed over embedded ssh/);
  // brz asks for `bzr serve --inet --directory=/ --allow-writes`; the peer names the user.
  expect(sessions.at(-1)).toMatch(/^ssh:tester@127\.0\.0\.1:\d+ \/$/);
});

test('a key that is not in authorized_keys is refused', async () => {
  const { code, stderr } = await sshExec('stranger', 'bzr serve --inet');
  expect(code).toBe(255);
  expect(stderr).toMatch(/Permission denied \(publickey\)/);
  expect(bus.recent().some((e) => e.type === 'error' && e.kind === 'ssh' && /refused key SHA256:/.test(e.message))).toBe(true);
});

test('any other command is refused with status 127 and a reason on stderr', async () => {
  const { code, stderr } = await sshExec('ed25519', 'ls /');
  expect(code).toBe(127);
  expect(stderr).toMatch(/hpss: only `bzr serve --inet …` .* refused: ls \//);
});

test('an OpenSSH client that checks host keys rejects a server whose key it does not know', async () => {
  const otherHosts = join(dir, 'other_known_hosts');
  writeFileSync(otherHosts, knownHostsLine('127.0.0.1', listener.port, loadHostKey(join(dir, 'rsa')).key) + '\n');
  const { code, stderr } = await sshExec('ed25519', 'ls /', otherHosts);
  expect(code).toBe(255);
  expect(stderr).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
});
