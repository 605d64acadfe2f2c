import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events';
import { HpssError } from '../../../src/shared/protocol/errors';
import { EventBus, IdSource } from '../../../src/main/bus/event-bus';
import type { ClientMedium } from '../../../src/main/medium/client-medium';
import { ConnectedSocketClientMedium } from '../../../src/main/medium/connected-socket-client-medium';
import { PipesClientMedium } from '../../../src/main/medium/pipes-client-medium';
import { SshClientMedium } from '../../../src/main/medium/ssh-client-medium';
import { TcpClientMedium } from '../../../src/main/medium/tcp-client-medium';
import { startTestHosts, type TestHosts } from '../../support/test-hosts';

// Built by hand from the spec, independent of our encoder: a v2 `hello` and its answer.
const HELLO_V2 = Buffer.from('bzr request 2\nhello\n');
const HELLO_V2_ANSWER = 'bzr response 2\nsuccess\nok\x012\n';

let hosts: TestHosts;
let bus: EventBus;
let events: EngineEvent[];
const ids = new IdSource();
beforeAll(() => {
  hosts = startTestHosts();
});
afterAll(() => hosts?.stop());

function freshBus(): EventBus {
  bus = new EventBus();
  events = [];
  bus.on((e) => events.push(e));
  return bus;
}

async function readAll(medium: ClientMedium, want: number): Promise<string> {
  const parts: Buffer[] = [];
  let total = 0;
  for (let i = 0; i < 100 && total < want; i++) {
    const chunk = await medium.read();
    if (!chunk) break;
    parts.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(parts).toString('latin1');
}

async function helloRoundTrip(medium: ClientMedium): Promise<string> {
  await medium.write(HELLO_V2);
  return readAll(medium, HELLO_V2_ANSWER.length);
}

describe('TcpClientMedium', () => {
  test('connects on first use, talks to brz serve, reports every read and write', async () => {
    const medium = new TcpClientMedium({ bus: freshBus(), ids, host: '127.0.0.1', port: hosts.env.BZR_TCP_PORT });
    expect(medium.isConnected).toBe(false);
    expect(await helloRoundTrip(medium)).toBe(HELLO_V2_ANSWER);
    expect(await helloRoundTrip(medium)).toBe(HELLO_V2_ANSWER);
    medium.close();
    const mine = events.filter((e) => 'mediumId' in e && e.mediumId === medium.id);
    expect(mine[0]).toMatchObject({ type: 'connection-setup', kind: 'tcp-client', ok: true });
    expect(mine[1]).toMatchObject({ type: 'medium-opened', kind: 'tcp-client', role: 'client', peer: `127.0.0.1:${hosts.env.BZR_TCP_PORT}` });
    const written = mine.filter((e) => e.type === 'bytes' && e.direction === 'written');
    const read = mine.filter((e) => e.type === 'bytes' && e.direction === 'read');
    expect(written.reduce((n, e) => n + (e.type === 'bytes' ? e.count : 0), 0)).toBe(2 * HELLO_V2.length);
    expect(read.reduce((n, e) => n + (e.type === 'bytes' ? e.count : 0), 0)).toBe(2 * HELLO_V2_ANSWER.length);
    expect(mine.at(-1)).toMatchObject({ type: 'medium-closed', calls: 0, vfsCalls: 0 });
  });

  test('a closed port fails with Breezy\'s text', async () => {
    const closed = await unusedPort();
    const medium = new TcpClientMedium({ bus: freshBus(), ids, host: '127.0.0.1', port: closed });
    const err = await medium.connect().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HpssError);
    expect((err as HpssError).code).toBe('connect-failed');
    expect((err as HpssError).message).toBe(`failed to connect to 127.0.0.1:${closed}: Connection refused`);
    expect(events.some((e) => e.type === 'error' && e.mediumId === medium.id)).toBe(true);
  });

  test('a name that does not resolve fails with Breezy\'s lookup text', async () => {
    const medium = new TcpClientMedium({ bus: freshBus(), ids, host: 'no-such-host.invalid', port: 4155 });
    await expect(medium.connect()).rejects.toThrow(/^failed to lookup no-such-host\.invalid:4155: /);
  });

  test('read before connecting is not-connected; disconnect then reuse reconnects', async () => {
    const medium = new TcpClientMedium({ bus: freshBus(), ids, host: '127.0.0.1', port: hosts.env.BZR_TCP_PORT });
    await expect(medium.read()).rejects.toMatchObject({ code: 'not-connected' });
    expect(await helloRoundTrip(medium)).toBe(HELLO_V2_ANSWER);
    medium.disconnect();
    expect(medium.isConnected).toBe(false);
    expect(await helloRoundTrip(medium)).toBe(HELLO_V2_ANSWER);
    medium.close();
    const lifecycle = events.filter((e) => (e.type === 'medium-opened' || e.type === 'medium-closed') && e.mediumId === medium.id);
    expect(lifecycle.map((e) => (e.type === 'medium-closed' ? `closed${e.reconnectable ? ' (reconnectable)' : ''}` : 'opened'))).toEqual([
      'opened', 'closed (reconnectable)', 'opened', 'closed',
    ]);
  });

  test('writing to a peer that went away is a connection-reset error', async () => {
    const server = await listenOnce((socket) => socket.destroy());
    const medium = new TcpClientMedium({ bus: freshBus(), ids, host: '127.0.0.1', port: portOf(server) });
    await medium.connect();
    expect(await medium.read()).toBeNull();
    await expect(medium.write(HELLO_V2)).rejects.toMatchObject({ code: 'connection-reset' });
    medium.close();
    server.close();
  });
});

test('ConnectedSocketClientMedium reads and writes on a socket someone else connected', async () => {
  const socket = connect(hosts.env.BZR_TCP_PORT, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const medium = new ConnectedSocketClientMedium({ bus: freshBus(), ids, socket });
  expect(await helloRoundTrip(medium)).toBe(HELLO_V2_ANSWER);
  medium.close();
  await expect(medium.write(HELLO_V2)).rejects.toMatchObject({ code: 'medium-closed' });
});

describe('PipesClientMedium', () => {
  test('talks to a local brz serve --inet', async () => {
    const medium = new PipesClientMedium({ bus: freshBus(), ids, directory: hosts.env.REPOS, env: hosts.brzEnv() });
    expect(await helloRoundTrip(medium)).toBe(HELLO_V2_ANSWER);
    expect(medium.peer).toMatch(/^pid \d+: brz serve --inet/);
    medium.close();
  });

  test('a command that does not exist fails to start', async () => {
    const medium = new PipesClientMedium({ bus: freshBus(), ids, command: ['/nonexistent/brz', 'serve', '--inet'] });
    await expect(medium.connect()).rejects.toMatchObject({ code: 'spawn-failed' });
  });

  test('a server that exits explains itself with its stderr', async () => {
    const medium = new PipesClientMedium({ bus: freshBus(), ids, command: ['sh', '-c', 'echo "brz: oops" >&2; exit 3'] });
    await medium.connect();
    expect(await medium.read()).toBeNull();
    expect(await medium.settledEndExplanation()).toBe('the server process ended (exit status 3); its stderr: brz: oops');
    medium.close();
  });
});

describe('SshClientMedium', () => {
  const sshOpts = () => ({
    host: '127.0.0.1',
    port: hosts.env.SSH_PORT,
    username: hosts.env.SSH_USER,
    identityFile: hosts.env.SSH_KEY,
    knownHostsFile: hosts.env.SSH_KNOWN_HOSTS,
    agentSocket: '',
  });

  test('runs brz serve --inet on a real sshd, verifying the host key', async () => {
    const steps: string[] = [];
    const medium = new SshClientMedium({ bus: freshBus(), ids, ...sshOpts(), remotePath: 'brz', onStep: (s) => steps.push(`${s.step}:${s.ok}`) });
    expect(medium.remoteCommand).toBe('brz serve --inet --directory=/ --allow-writes');
    expect(await helloRoundTrip(medium)).toBe(HELLO_V2_ANSWER);
    expect(steps).toEqual(['resolve:true', 'tcp-connect:true', 'ssh-handshake:true', 'host-key:true', 'authentication:true', 'remote-command:true']);
    medium.close();
  });

  test('authenticates through a real ssh-agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpss-agent-'));
    const socket = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 250 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
      execFileSync('ssh-add', ['-q', hosts.env.SSH_KEY], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
      const steps: string[] = [];
      const medium = new SshClientMedium({
        bus: freshBus(), ids, ...sshOpts(), identityFile: undefined, agentSocket: socket, remotePath: 'brz', onStep: (s) => steps.push(`${s.step}: ${s.detail}`),
      });
      expect(await helloRoundTrip(medium)).toBe(HELLO_V2_ANSWER);
      expect(steps).toContain(`authentication: authenticated as ${hosts.env.SSH_USER} (agent)`);
      medium.close();
    } finally {
      agent.kill();
    }
  });

  test('an unknown host key and a changed host key are different errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpss-kh-'));
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    const unknown = new SshClientMedium({ bus: freshBus(), ids, ...sshOpts(), knownHostsFile: empty, remotePath: 'brz' });
    await expect(unknown.connect()).rejects.toMatchObject({ code: 'host-key-unknown' });
    const changedFile = join(dir, 'changed');
    // Same names and key types, other keys: the RSA client key stands in for a changed host key.
    const otherKey = readFileSync(`${hosts.env.SSH_KEY}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(changedFile, `[127.0.0.1]:${hosts.env.SSH_PORT} ${otherKey}\n`);
    const changed = new SshClientMedium({ bus: freshBus(), ids, ...sshOpts(), knownHostsFile: changedFile, remotePath: 'brz' });
    await expect(changed.connect()).rejects.toMatchObject({ code: 'host-key-changed' });
  });

  test('a missing remote command: the server never answers, its stderr says why', async () => {
    const medium = new SshClientMedium({ bus: freshBus(), ids, ...sshOpts(), remotePath: '/nonexistent/bzr' });
    await medium.write(HELLO_V2);
    expect(await medium.read()).toBeNull();
    expect(await medium.settledEndExplanation()).toMatch(/exit status 127.*\/nonexistent\/bzr: (No such file or directory|not found)/s);
    medium.close();
  });
});

function listenOnce(onConnection: (socket: import('node:net').Socket) => void): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer(onConnection);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function unusedPort(): Promise<number> {
  const server = await listenOnce(() => undefined);
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}
