/**
 * Hostile clients against a real listener (in-process, loopback sockets, the hello-only
 * backend so no subprocess blurs the picture): half messages are cut after the client
 * timeout, counted from the last byte; a 10 MB argument is rendered bounded in events and
 * does not keep other clients from being answered; garbage and giant length prefixes get
 * an error answer and cost no memory past the limit.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events';
import type { PolicySettings } from '../../../src/shared/policies';
import { EventBus, IdSource } from '../../../src/main/bus/event-bus';
import { HelloBackend } from '../../../src/main/server/backends/hello';
import { PolicyStore } from '../../../src/main/server/policies/settings';
import { TcpListener } from '../../../src/main/server/tcp-listener';
import { u32, V3_HEADERS, V3_HELLO as HELLO, V3_PREFIX, v3Request } from '../../support/v3-bytes';

let listener: TcpListener | null = null;
afterEach(async () => {
  await listener?.stop();
  listener = null;
});

async function server(policy: Partial<PolicySettings> = {}) {
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  listener = new TcpListener({ ownerId: 's1', address: { host: '127.0.0.1', port: 0 }, backend: new HelloBackend(), policy: new PolicyStore(policy), bus, ids: new IdSource() });
  const url = await listener.listen();
  return { port: Number(/:(\d+)\/$/.exec(url)?.[1]), events };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** Round trips of `request` on one connection, each waiting for its answer. */
async function roundTrips(port: number, request: Buffer, count: number, answerEnds: string): Promise<number> {
  const s = await open(port);
  let done = 0;
  let pending = '';
  await new Promise<void>((resolve) => {
    s.on('data', (d) => {
      pending += d.toString('latin1');
      while (pending.includes(answerEnds)) {
        pending = pending.slice(pending.indexOf(answerEnds) + answerEnds.length);
        done += 1;
        if (done === count) resolve();
        else s.write(request);
      }
    });
    s.on('close', () => resolve());
    s.write(request);
  });
  s.destroy();
  return done;
}

test('connections that stall in the middle of a message are cut after the client timeout, from their last byte', async () => {
  const { port, events } = await server({ clientTimeoutSec: 0.5 });
  const stalled: Socket[] = [];
  for (let i = 0; i < 5; i++) {
    const s = await open(port);
    s.on('error', () => undefined);
    // A structure announced as 15 MB, of which only the first 64 KiB ever arrive.
    s.write(Buffer.concat([V3_PREFIX, u32(V3_HEADERS.length), V3_HEADERS, Buffer.from('s'), u32(15 * 1024 * 1024), Buffer.alloc(64 * 1024, 0x61)]));
    stalled.push(s);
  }
  const closed = await Promise.all(stalled.map((s) => new Promise((r) => s.once('close', r))));
  expect(closed.length).toBe(5);
  const timeouts = events.filter((e) => e.type === 'timeout');
  expect(timeouts.length).toBe(5);
  expect(timeouts.every((e) => e.type === 'timeout' && e.message === 'disconnecting client after 0.5 seconds')).toBe(true);
  // A well-behaved client is served afterwards.
  expect(await roundTrips(port, HELLO, 3, 'l2:ok1:2ee')).toBe(3);
});

test('a 10 MB argument is shown bounded, and other clients keep being answered while it arrives', async () => {
  const { port, events } = await server();
  const big = v3Request('hello', [randomBytes(10 * 1024 * 1024)]);
  const bigClient = await open(port);
  const bigAnswered = new Promise<string>((resolve) => {
    let got = '';
    bigClient.on('data', (d) => {
      got += d.toString('latin1');
      if (got.endsWith('ee')) resolve(got);
    });
  });
  // Sent in slices, so the well-behaved client's turns fall between them.
  const sending = (async () => {
    for (let at = 0; at < big.length; at += 256 * 1024) {
      if (!bigClient.write(big.subarray(at, at + 256 * 1024))) await new Promise((r) => bigClient.once('drain', r));
    }
  })();
  const served = await roundTrips(port, HELLO, 200, 'l2:ok1:2ee');
  await sending;
  expect(await bigAnswered).toContain('l2:ok1:2e');
  expect(served).toBe(200);
  bigClient.destroy();
  const started = events.find((e) => e.type === 'call-started' && Array.isArray(e.args) && typeof e.args[0] === 'string' && e.args[0].length > 100);
  expect(started?.type).toBe('call-started');
  const shown = started?.type === 'call-started' ? String(started.args[0]) : '';
  // The first KiB (as hex) and the length, not 10 MB of hex.
  expect(shown.length).toBeLessThan(4096);
  expect(shown).toMatch(/…\[10485760 bytes\]$/);
});

test('twenty 10 MB requests in a row leave the heap near where it started', async () => {
  const { port } = await server();
  const big = v3Request('hello', [randomBytes(10 * 1024 * 1024)]);
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 20; i++) {
    const s = await open(port);
    await new Promise<void>((resolve) => {
      s.on('data', (d) => {
        if (d.toString('latin1').endsWith('ee')) resolve();
      });
      s.write(big);
    });
    s.destroy();
  }
  global.gc?.();
  await new Promise((r) => setTimeout(r, 100));
  // Each request is held once while its verb is decoded, then let go: no growth by request count.
  expect(process.memoryUsage().heapUsed - before).toBeLessThan(150 * 1024 * 1024);
}, 60_000);

test('a giant length prefix is refused before anything is allocated, with an error answer', async () => {
  const { port, events } = await server();
  const s = await open(port);
  const got: Buffer[] = [];
  s.on('data', (d) => got.push(d));
  const closed = new Promise((r) => s.on('close', r));
  s.write(Buffer.concat([V3_PREFIX, u32(0xfffffff0)]));
  await closed;
  expect(Buffer.concat(got).toString('latin1')).toMatch(/l5:error\d+:headers of 4294967280 bytes exceeds the 16777216-byte limit/);
  expect(events.some((e) => e.type === 'error' && e.kind === 'protocol' && e.fatal)).toBe(true);
});
