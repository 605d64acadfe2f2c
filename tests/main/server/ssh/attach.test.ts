/**
 * A server started the way the UI starts it (`realBackends.startServer` with `ssh`
 * set) serves bzr:// and bzr+ssh:// together, and stops both.
 */
import { execFile, execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EventBus, IdSource } from '../../../../src/main/bus/event-bus';
import { realBackends } from '../../../../src/main/engine/real-backends';
import { knownHostsLine, loadHostKey } from '../../../../src/main/server/ssh/host-key';
import { brzEnv, makeClientKey, seedBranch, sshWrapper } from '../../../support/brz-ssh';
import { requireTool } from '../../../support/test-hosts';

const run = promisify(execFile);
let dir: string;
let key: string;
let hostKey: string;

beforeAll(() => {
  requireTool('brz', 'brz');
  dir = mkdtempSync(join(tmpdir(), 'hpss-attach-'));
  seedBranch(join(dir, 'served'), brzEnv(dir), 'Served to the UI');
  key = makeClientKey(dir, 'client');
  execFileSync('cp', [`${key}.pub`, join(dir, 'authorized_keys')]);
  hostKey = makeClientKey(dir, 'host_key');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const refused = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      done(false);
    });
    socket.on('error', () => done(true));
  });

test('serves both URLs with one owner, and stopping it stops both', async () => {
  const bus = new EventBus();
  const owner = await realBackends.startServer(
    { backend: 'breezy', dir: join(dir, 'served'), listen: '127.0.0.1:0', allowWrites: false, ssh: { listen: '127.0.0.1:0', authorizedKeys: join(dir, 'authorized_keys'), hostKey } },
    bus,
    new IdSource(),
  );
  expect(owner.urls).toHaveLength(2);
  const [tcpUrl, sshUrl] = owner.urls;
  const sshPort = Number(/^bzr\+ssh:\/\/127\.0\.0\.1:(\d+)\/$/.exec(sshUrl)?.[1]);
  writeFileSync(join(dir, 'known_hosts'), knownHostsLine('127.0.0.1', sshPort, loadHostKey(hostKey).key) + '\n');
  const env = brzEnv(dir, { BRZ_SSH: sshWrapper(dir, key, join(dir, 'known_hosts')) });
  for (const url of [tcpUrl, sshUrl.replace('bzr+ssh://', 'bzr+ssh://ui@')]) {
    const { stdout } = await run('brz', ['log', '--line', `${url}trunk`], { env, timeout: 20_000 });
    expect(stdout).toMatch(/Served to the UI/);
  }
  const listening = bus.recent().filter((e) => e.type === 'listener' && e.state === 'listening' && e.ownerId === owner.ownerId);
  expect(listening).toHaveLength(2);
  await owner.stop();
  expect(await refused(sshPort)).toBe(true);
});

test('when the SSH port cannot be had, the TCP server is stopped too and the error says why', async () => {
  const bus = new EventBus();
  const blocker = await realBackends.startServer({ backend: 'breezy', dir, listen: '127.0.0.1:0', allowWrites: false, ssh: null }, bus, new IdSource());
  const taken = blocker.urls[0].replace('bzr://', '').replace(/\/$/, '');
  try {
    await expect(
      realBackends.startServer(
        { backend: 'breezy', dir, listen: '127.0.0.1:0', allowWrites: false, ssh: { listen: taken, authorizedKeys: join(dir, 'authorized_keys'), hostKey } },
        bus,
        new IdSource(),
      ),
    ).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    const stopped = bus.recent().filter((e) => e.type === 'listener' && e.state === 'stopped');
    expect(stopped).toHaveLength(1);
  } finally {
    await blocker.stop();
  }
});
