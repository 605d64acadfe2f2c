/**
 * SSH clients that vanish in the middle of a message, against the embedded SSH server
 * (`startSshFront`, built-in backend): a real ssh2 client logs in, starts `bzr serve
 * --inet`, sends half a request, then closes the channel — or its TCP connection is
 * destroyed. The session ends with a `medium-closed` giving the reason, and nothing of it
 * is left: sockets, timers and processes are counted while the server runs and after it
 * stops (tests/support/leak-counts.ts). And the other way round: a proxy whose `bzr+ssh://`
 * upstream (this server) ends the session before answering reports the remote's stderr.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type ClientChannel } from 'ssh2';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../../../src/shared/events';
import { EventBus, IdSource } from '../../../../src/main/bus/event-bus';
import { createServerBackend } from '../../../../src/main/server/backends/registry';
import { PolicyStore } from '../../../../src/main/server/policies/settings';
import { startProxy } from '../../../../src/main/server';
import { startSshFront } from '../../../../src/main/server/ssh';
import { knownHostsLine, loadHostKey } from '../../../../src/main/server/ssh/host-key';
import { makeClientKey } from '../../../support/brz-ssh';
import { resourceCounts, settledLeaks, type ResourceCounts } from '../../../support/leak-counts';
import { HELLO_ANSWER, V3_HELLO, v3Request } from '../../../support/v3-bytes';

let dir: string;
let key: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hpss-ssh-vanish-'));
  key = makeClientKey(dir, 'client');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Session {
  socket: Socket;
  client: Client;
  channel: ClientChannel;
}

/** A real ssh2 client over a socket we hold, logged in, with `bzr serve --inet` started and hello answered. */
async function session(port: number): Promise<Session> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const client = new Client();
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({ sock: socket, username: 'tester', privateKey: readFileSync(key), hostVerifier: () => true });
  });
  const channel = await new Promise<ClientChannel>((resolve, reject) => {
    client.exec('bzr serve --inet --directory=/', (err, ch) => (err ? reject(err) : resolve(ch)));
  });
  channel.on('error', () => undefined);
  let got = '';
  await new Promise<void>((resolve) => {
    const onData = (d: Buffer): void => {
      got += d.toString('latin1');
      if (got.endsWith(HELLO_ANSWER)) {
        channel.off('data', onData);
        resolve();
      }
    };
    channel.on('data', onData);
    channel.write(V3_HELLO);
  });
  return { socket, client, channel };
}

async function front(): Promise<{ port: number; events: EngineEvent[]; hostKeyFile: string; close: () => Promise<void> }> {
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  const backend = createServerBackend('builtin', { dir, allowWrites: false });
  const hostKeyFile = makeClientKey(dir, `host-${Date.now()}`);
  const { listener } = await startSshFront(
    { listen: '127.0.0.1:0', authorizedKeys: `${key}.pub`, hostKey: hostKeyFile },
    { ownerId: 's1', backend, policy: new PolicyStore(), bus, ids: new IdSource() },
  );
  return {
    port: listener.port,
    events,
    hostKeyFile,
    close: async () => {
      await listener.close();
      backend.close();
    },
  };
}

function sessionCloseReason(events: EngineEvent[]): string | undefined {
  const ids = new Set(events.flatMap((e) => (e.type === 'medium-opened' && e.kind === 'pipe-server' ? [e.mediumId] : [])));
  const closed = events.find((e) => e.type === 'medium-closed' && ids.has(e.mediumId));
  return closed?.type === 'medium-closed' ? closed.reason : undefined;
}

async function until(check: () => boolean, withinMs = 5_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Half of a request: its head and part of its arguments. */
const HALF = v3Request('get', ['some/file/name']).subarray(0, 40);

async function vanishCase(vanish: (s: Session) => void): Promise<{ reason: string | undefined; whileRunning: string[]; after: string[] }> {
  const before: ResourceCounts = resourceCounts();
  const server = await front();
  const running = resourceCounts();
  let whileRunning: string[];
  let reason: string | undefined;
  try {
    const s = await session(server.port);
    s.channel.write(HALF);
    // The half request has reached the server before the peer goes.
    await until(() => server.events.some((e) => e.type === 'bytes' && e.direction === 'read' && e.count > V3_HELLO.length));
    vanish(s);
    await until(() => sessionCloseReason(server.events) !== undefined);
    reason = sessionCloseReason(server.events);
    s.client.end();
    s.socket.destroy();
    whileRunning = await settledLeaks(running);
  } finally {
    await server.close();
  }
  return { reason, whileRunning, after: await settledLeaks(before) };
}

test('an SSH channel closed by the client in the middle of a request ends the session and leaks nothing', async () => {
  const { reason, whileRunning, after } = await vanishCase((s) => s.channel.close());
  expect(reason).toBe('client closed the connection');
  expect(whileRunning).toEqual([]);
  expect(after).toEqual([]);
});

test("an SSH client's TCP connection destroyed in the middle of a request ends the session and leaks nothing", async () => {
  const { reason, whileRunning, after } = await vanishCase((s) => s.socket.resetAndDestroy());
  expect(reason).toBe('client closed the connection');
  expect(whileRunning).toEqual([]);
  expect(after).toEqual([]);
});

test('a proxy whose bzr+ssh upstream session ends before answering says why, with the remote stderr, and leaks nothing', async () => {
  const before = resourceCounts();
  const server = await front();
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, knownHostsLine('127.0.0.1', server.port, loadHostKey(server.hostKeyFile).key) + '\n');
  // A remote command our SSH server refuses: stderr says why, exit status 127, then the channel closes.
  const remotePath = process.env.BZR_REMOTE_PATH;
  process.env.BZR_REMOTE_PATH = '/usr/bin/not-bzr';
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  const proxy = await startProxy({ upstream: `bzr+ssh://tester@127.0.0.1:${server.port}/`, listen: '127.0.0.1:0', identity: key, knownHosts }, bus, new IdSource());
  try {
    const client = await new Promise<Socket>((resolve, reject) => {
      const s = connect(Number(new URL(proxy.urls[0]).port), '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    client.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.write(V3_HELLO);
    client.resume();
    await closed;
    const reason = /^upstream closed: the SSH channel closed; remote stderr: hpss: only `bzr serve --inet …` \(as brz runs it over bzr\+ssh\) is served here; refused: \/usr\/bin\/not-bzr serve --inet --directory=\/ --allow-writes before answering a call$/;
    await until(() => events.some((e) => e.type === 'medium-closed' && reason.test(e.reason)));
    const clientMedium = events.find((e) => e.type === 'medium-opened' && e.kind === 'tcp-server');
    const closedEvent = events.find((e) => e.type === 'medium-closed' && clientMedium?.type === 'medium-opened' && e.mediumId === clientMedium.mediumId);
    expect(closedEvent?.type === 'medium-closed' && closedEvent.reason).toMatch(reason);
  } finally {
    if (remotePath === undefined) delete process.env.BZR_REMOTE_PATH;
    else process.env.BZR_REMOTE_PATH = remotePath;
    await proxy.stop();
    await server.close();
  }
  expect(await settledLeaks(before)).toEqual([]);
});
