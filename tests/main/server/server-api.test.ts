import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events';
import { EventBus, IdSource } from '../../../src/main/bus/event-bus';
import { startProxy, startServer, type RunningOwner } from '../../../src/main/server';
import { BreezyBackend } from '../../../src/main/server/backends/breezy';
import { parseUpstreamUrl } from '../../../src/main/server/backends/upstream';
import { parseListen } from '../../../src/main/server/listen-address';
import { PolicyStore } from '../../../src/main/server/policies/settings';
import { TcpListener } from '../../../src/main/server/tcp-listener';

const owners: (RunningOwner | TcpListener)[] = [];
afterEach(async () => {
  for (const o of owners.splice(0)) await o.stop();
});

function recorder() {
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  return { bus, events };
}

function sendAndWaitClose(port: number, bytes: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    socket.on('data', (d) => got.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(got)));
    socket.write(bytes);
  });
}

test('listen addresses: HOST:PORT, [IPv6]:PORT; bad ones are refused with the expected form', () => {
  expect(parseListen('127.0.0.1:4155')).toEqual({ host: '127.0.0.1', port: 4155 });
  expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
  expect(() => parseListen('4155')).toThrow(/expected HOST:PORT/);
  expect(() => parseListen('127.0.0.1:70000')).toThrow(/invalid port/);
});

test('upstream URLs: bzr:// and bzr+ssh:// with Breezy\'s default ports; ssh:// gets a hint', () => {
  expect(parseUpstreamUrl('bzr://example.org/')).toMatchObject({ scheme: 'bzr', host: 'example.org', port: 4155 });
  expect(parseUpstreamUrl('bzr+ssh://alice@[::1]:2222/srv')).toMatchObject({ scheme: 'bzr+ssh', host: '::1', port: 2222, user: 'alice', path: '/srv' });
  expect(() => parseUpstreamUrl('ssh://host/')).toThrow(/did you mean bzr\+ssh/);
});

test('the built-in backend starts with nothing else installed, read-only unless asked', async () => {
  const { bus } = recorder();
  const server = await startServer({ backend: 'builtin', dir: '/tmp', listen: '127.0.0.1:0', allowWrites: false }, bus, new IdSource());
  owners.push(server);
  expect(server.urls[0]).toMatch(/^bzr:\/\/127\.0\.0\.1:\d+\/$/);
  expect(server.description).toBe('built-in handlers over /tmp (read-only)');
  await expect(startServer({ backend: 'builtin', dir: '/nonexistent/dir', listen: '127.0.0.1:0', allowWrites: false }, bus, new IdSource())).rejects.toThrow(
    'cannot serve /nonexistent/dir: not a directory',
  );
});

test('port 0 picks a free port; a port in use fails with a listener event', async () => {
  const { bus, events } = recorder();
  const proxy = await startProxy({ upstream: 'bzr://127.0.0.1:9/', listen: '127.0.0.1:0' }, bus, new IdSource());
  owners.push(proxy);
  expect(proxy.urls[0]).toMatch(/^bzr:\/\/127\.0\.0\.1:\d+\/$/);
  expect(proxy.kind).toBe('proxy');
  expect(events.find((e) => e.type === 'listener')).toMatchObject({ state: 'listening', url: proxy.urls[0], ownerId: proxy.ownerId });
  const busy = new URL(proxy.urls[0]).port;
  await expect(startProxy({ upstream: 'bzr://127.0.0.1:9/', listen: `127.0.0.1:${busy}` }, bus, new IdSource())).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  expect(events.some((e) => e.type === 'listener' && e.state === 'failed')).toBe(true);
});

test('an upstream that cannot be reached: the client is told why in an error answer, the proxy goes on', async () => {
  // A port that was free a moment ago: connecting to it is refused.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const { bus, events } = recorder();
  const proxy = await startProxy({ upstream: `bzr://127.0.0.1:${deadPort}/`, listen: '127.0.0.1:0' }, bus, new IdSource());
  owners.push(proxy);
  const port = Number(new URL(proxy.urls[0]).port);
  const why = `hpss: cannot reach the upstream: failed to connect to 127.0.0.1:${deadPort}: Connection refused`;
  expect((await sendAndWaitClose(port, 'hello\n')).toString()).toBe(`error\x01${why}\n`);
  expect((await sendAndWaitClose(port, 'bzr request 2\nhello\n')).toString()).toBe(`bzr response 2\nfailed\nerror\x01${why}\n`);
  const errors = events.filter((e) => e.type === 'error');
  expect(errors.length).toBe(2);
  expect(errors[0]).toMatchObject({ kind: 'transport', fatal: true });
  const finished = events.filter((e) => e.type === 'call-finished');
  expect(finished.map((e) => (e.type === 'call-finished' ? [e.status, e.args] : null))).toEqual([
    ['E', ['error', why]],
    ['E', ['error', why]],
  ]);
  // A real brz shows the reason.
  const brz = await new Promise<string>((done) =>
    execFile('brz', ['log', `${proxy.urls[0]}trunk`], { env: { ...process.env, BRZ_LOG: '/dev/null' } }, (_err, stdout, stderr) => done(stdout + stderr)),
  );
  expect(brz).toContain(`Server sent an unexpected error: (b'error', b'${why}')`);
});

test('a brz that cannot be run ends that connection with a remote error; the server keeps accepting', async () => {
  const { bus, events } = recorder();
  const listener = new TcpListener({
    ownerId: 's1',
    address: { host: '127.0.0.1', port: 0 },
    backend: new BreezyBackend({ dir: '/tmp', allowWrites: false, brz: '/nonexistent/brz' }),
    policy: new PolicyStore(),
    bus,
    ids: new IdSource(),
  });
  owners.push(listener);
  const port = Number(new URL(await listener.listen()).port);
  // A verb Breezy must answer (hello is answered without it).
  await sendAndWaitClose(port, 'BzrDir.open_2.1\x01/\n');
  await sendAndWaitClose(port, 'BzrDir.open_2.1\x01/\n');
  const errors = events.filter((e) => e.type === 'error' && e.kind === 'remote');
  expect(errors.length).toBe(2);
  expect(errors[0].type === 'error' && errors[0].message).toMatch(/cannot run \/nonexistent\/brz: .*ENOENT/);
});

test('policies change while the owner runs, and bad values are refused', async () => {
  const { bus } = recorder();
  const proxy = await startProxy({ upstream: 'bzr://127.0.0.1:9/', listen: '127.0.0.1:0', policy: { refuseVfs: true } }, bus, new IdSource());
  owners.push(proxy);
  expect(proxy.policy().refuseVfs).toBe(true);
  expect(proxy.setPolicy({ refuseVfs: false, latencyMs: 20 })).toMatchObject({ refuseVfs: false, latencyMs: 20 });
  expect(() => proxy.setPolicy({ dropAfterCalls: -2 })).toThrow(/dropAfterCalls/);
  expect(proxy.policy().latencyMs).toBe(20);
});

test('a server that cannot listen leaves no brz process behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpss-nolisten-'));
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  try {
    const { bus } = recorder();
    await expect(startServer({ backend: 'breezy', dir, listen: `127.0.0.1:${port}`, allowWrites: false }, bus, new IdSource())).rejects.toThrow(/EADDRINUSE/);
    const running = (): boolean => {
      try {
        execFileSync('pgrep', ['-f', `serve --inet --directory=${dir}`]);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && running(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(running()).toBe(false);
  } finally {
    await new Promise<void>((r) => blocker.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
