import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events';
import { EventBus, IdSource } from '../../../src/main/bus/event-bus';
import { HelloBackend } from '../../../src/main/server/backends/hello';
import { PolicyStore } from '../../../src/main/server/policies/settings';
import { TcpListener } from '../../../src/main/server/tcp-listener';
import type { PolicySettings } from '../../../src/shared/api';

const run = promisify(execFile);
const V3 = 'bzr message 3 (bzr 1.6)\n';

let listener: TcpListener | null = null;
afterEach(async () => {
  await listener?.stop();
  listener = null;
});

async function helloServer(policy: Partial<PolicySettings> = {}) {
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  listener = new TcpListener({ ownerId: 's1', address: { host: '127.0.0.1', port: 0 }, backend: new HelloBackend(), policy: new PolicyStore(policy), bus, ids: new IdSource() });
  const url = await listener.listen();
  const port = Number(/:(\d+)\/$/.exec(url)?.[1]);
  return { url, port, events, bus };
}

/** Sends bytes on a fresh connection and collects what comes back until the server closes. */
function exchange(port: number, bytes: Buffer | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    socket.on('data', (d) => got.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(got)));
    // Half-close at once: the server still answers what was asked, as Breezy's does.
    socket.end(bytes);
  });
}

function waitFor(events: EngineEvent[], pred: (e: EngineEvent) => boolean, ms = 5000): Promise<EngineEvent> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const found = events.find(pred);
      if (found) resolve(found);
      else if (Date.now() - started > ms) reject(new Error('timed out waiting for an event'));
      else setTimeout(check, 20);
    };
    check();
  });
}

test('a real brz ping gets hello answered by the hello-only handler', async () => {
  const { url, events } = await helloServer();
  const { stdout, stderr } = await run('brz', ['ping', url], { env: { ...process.env, BRZ_LOG: '/dev/null' } });
  expect(stdout + stderr).toMatch(/Response: \(b'ok', b'2'\)/);
  const started = events.filter((e) => e.type === 'call-started');
  expect(started.map((e) => (e.type === 'call-started' ? e.verb : ''))).toEqual(['hello']);
  await waitFor(events, (e) => e.type === 'medium-closed');
  const opened = events.find((e) => e.type === 'medium-opened');
  expect(opened).toMatchObject({ kind: 'tcp-server', role: 'server', ownerId: 's1' });
  expect(opened?.type === 'medium-opened' && opened.peer).toMatch(/^127\.0\.0\.1:\d+$/);
});

test('v1 and v2 requests are answered in their own version, several on one connection', async () => {
  const { port } = await helloServer();
  const reply = await exchange(port, 'hello\nbzr request 2\nhello\nbzr request 2\nBzrDir.open\x01/x\n');
  expect(reply.toString('latin1')).toBe(
    "ok\x012\nbzr response 2\nsuccess\nok\x012\nbzr response 2\nfailed\nerror\x01Generic bzr smart protocol error: bad request 'BzrDir.open'\n",
  );
});

test('a malformed request gets an error response, the connection closes, and the next one is served', async () => {
  const { port, events } = await helloServer();
  // A v3 header length of 4 GiB: refused without allocating it.
  const reply = await exchange(port, Buffer.concat([Buffer.from(V3), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from('d')]));
  expect(reply.subarray(0, V3.length).toString()).toBe(V3);
  expect(reply.toString('latin1')).toMatch(/oE.*error/s);
  await waitFor(events, (e) => e.type === 'error' && e.kind === 'protocol');
  expect((await exchange(port, 'hello\n')).toString()).toBe('ok\x012\n');
});

test('requests before a malformed one are answered first, in order, then the error, then the close', async () => {
  const { port, events } = await helloServer();
  const reply = await exchange(port, Buffer.concat([Buffer.from(`hello\nbzr request 2\nhello\n${V3}`), Buffer.from([0xff, 0xff, 0xff, 0xff])]));
  const text = reply.toString('latin1');
  expect(text.startsWith(`ok\x012\nbzr response 2\nsuccess\nok\x012\n${V3}`)).toBe(true);
  expect(text).toMatch(/oEs.*error.*ee$/s);
  expect(events.filter((e) => e.type === 'call-finished').length).toBe(2);
  await waitFor(events, (e) => e.type === 'medium-closed');
  expect(events.find((e) => e.type === 'medium-closed')).toMatchObject({ reason: expect.stringMatching(/^malformed request: /) });
});

test('an idle client is disconnected after the timeout, with Breezy\'s message and a timeout event', async () => {
  const { port, events } = await helloServer({ clientTimeoutSec: 0.5 });
  const socket = connect(port, '127.0.0.1');
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  await closed;
  const timeout = await waitFor(events, (e) => e.type === 'timeout');
  expect(timeout).toMatchObject({ message: 'disconnecting client after 0.5 seconds', seconds: 0.5 });
  expect(await waitFor(events, (e) => e.type === 'medium-closed')).toMatchObject({ reason: 'disconnecting client after 0.5 seconds' });
});

test('a graceful stop lets a half-sent request finish, then closes', async () => {
  const { port, events } = await helloServer();
  const socket = connect(port, '127.0.0.1');
  const got: Buffer[] = [];
  socket.on('data', (d) => got.push(d));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write('bzr request 2\nhel');
  // The server has the first half of the request before the stop is asked for.
  await waitFor(events, (e) => e.type === 'bytes' && e.direction === 'read' && e.count > 0);
  const stopping = listener?.stop();
  listener = null;
  socket.write('lo\n');
  await closed;
  await stopping;
  expect(Buffer.concat(got).toString()).toBe('bzr response 2\nsuccess\nok\x012\n');
});

test('the medium hands on at most 64 KiB at a time, in order, one chunk at a time even when the consumer is slow', async () => {
  const { createServer } = await import('node:net');
  const { SocketServerMedium } = await import('../../../src/main/medium/socket-server-medium');
  const { MAX_READ_SIZE } = await import('../../../src/main/medium/server-medium');
  const payload = Buffer.alloc(1 << 20);
  for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
  const got: Buffer[] = [];
  let busy = false;
  let overlapped = false;
  const done = new Promise<void>((resolve) => {
    const server = createServer((socket) => {
      const bus = new EventBus();
      const medium = new SocketServerMedium(socket, { bus, ids: new IdSource() });
      const feed = async (chunk: Uint8Array): Promise<void> => {
        if (busy) overlapped = true;
        busy = true;
        got.push(Buffer.from(chunk));
        // A slow consumer now and then: the input waits for it.
        if (got.length % 4 === 0) await new Promise((r) => setTimeout(r, 2));
        busy = false;
        if (got.reduce((n, c) => n + c.length, 0) === payload.length) {
          medium.close('done');
          server.close();
          resolve();
        }
      };
      medium.start({ feed, inputEnded: () => undefined, checkTimeout: () => null, timeoutSec: () => 0, connectionClosed: () => undefined, calls: 0, vfsCalls: 0 });
    });
    server.listen(0, '127.0.0.1', () => {
      const client = connect((server.address() as { port: number }).port, '127.0.0.1');
      client.on('error', () => undefined);
      client.end(payload);
    });
  });
  await done;
  expect(overlapped).toBe(false);
  expect(Math.max(...got.map((c) => c.length))).toBeLessThanOrEqual(MAX_READ_SIZE);
  expect(Buffer.compare(Buffer.concat(got), payload)).toBe(0);
});
