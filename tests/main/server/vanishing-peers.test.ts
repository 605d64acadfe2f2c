/**
 * Peers that vanish in the middle of a message, on each side of the proxy and under the
 * Breezy backend: each ends its connection with a clear event (a `medium-closed` with the
 * reason, a call ended with an error naming what happened) and leaks no socket, process or
 * timer — checked by counts of this process's resources and children after the test
 * (tests/support/leak-counts.ts). Real peers only: `brz serve`, our own listener, `brz serve
 * --inet` subprocesses killed by their pid.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events';
import { EventBus, IdSource } from '../../../src/main/bus/event-bus';
import { startProxy, startServer } from '../../../src/main/server';
import { createServerBackend } from '../../../src/main/server/backends/registry';
import { PolicyStore } from '../../../src/main/server/policies/settings';
import { TcpListener } from '../../../src/main/server/tcp-listener';
import { brzFixtureEnv, startBrzServe, type RunningBrzServe } from '../../support/brz-fixtures';
import { childProcesses, resourceCounts, settledLeaks } from '../../support/leak-counts';
import { requireTool } from '../../support/test-hosts';
import { HELLO_ANSWER, v3Request, V3_HELLO as HELLO } from '../../support/v3-bytes';

const execFileP = promisify(execFile);
let dir: string;
let brzServe: RunningBrzServe | null = null;

beforeAll(() => {
  requireTool('brz', 'brz');
  dir = mkdtempSync(join(tmpdir(), 'hpss-vanish-'));
  const env = brzFixtureEnv(join(dir, 'home'));
  execFileSync('brz', ['init', '-q', '--create-prefix', join(dir, 'served', 'trunk')], { env, stdio: 'pipe' });
  // Big enough that a response to `get` spans many chunks.
  writeFileSync(join(dir, 'served', 'big.bin'), Buffer.alloc(512 * 1024, 0x5a));
});
afterAll(() => {
  brzServe?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

function portOf(url: string): number {
  return Number(/:(\d+)\/$/.exec(url)?.[1]);
}

/** Writes `request` and resolves with the bytes received once they end with `answerEnds` (or the socket closes). */
function exchange(s: Socket, request: Buffer, answerEnds: string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const onData = (d: Buffer): void => {
      got += d.toString('latin1');
      if (got.endsWith(answerEnds)) done();
    };
    const done = (): void => {
      s.off('data', onData);
      s.off('close', done);
      resolve(got);
    };
    s.on('data', onData);
    s.on('close', done);
    s.write(request);
  });
}

function recorder(bus: EventBus): EngineEvent[] {
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  return events;
}

/** Every medium opened has been closed: the mediums still open, by id and kind. */
function openMediums(events: EngineEvent[]): string[] {
  const open = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'medium-opened') open.set(e.mediumId, `${e.mediumId} (${e.kind})`);
    if (e.type === 'medium-closed' && !e.reconnectable) open.delete(e.mediumId);
  }
  return [...open.values()];
}

function closeReason(events: EngineEvent[], kind: string): string | undefined {
  const ids = new Set(events.flatMap((e) => (e.type === 'medium-opened' && e.kind === kind ? [e.mediumId] : [])));
  const closed = events.find((e) => e.type === 'medium-closed' && ids.has(e.mediumId));
  return closed?.type === 'medium-closed' ? closed.reason : undefined;
}

async function until(check: () => boolean, withinMs = 5_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Bytes the server side of the connections of `kind` has read, as the `bytes` events count them. */
function bytesRead(events: EngineEvent[], kind: string): number {
  const ids = new Set(events.flatMap((e) => (e.type === 'medium-opened' && e.kind === kind ? [e.mediumId] : [])));
  return events.reduce((sum, e) => sum + (e.type === 'bytes' && e.direction === 'read' && ids.has(e.mediumId) ? e.count : 0), 0);
}

test.each([
  { how: 'reset', vanish: (s: Socket) => s.resetAndDestroy(), reason: 'error: read ECONNRESET' },
  { how: 'closed (FIN)', vanish: (s: Socket) => s.destroy(), reason: 'client closed the connection' },
])('proxy: a client that sends half a request and is $how ends both connections and leaks nothing', async ({ vanish, reason }) => {
  brzServe ??= await startBrzServe(join(dir, 'served'), brzFixtureEnv(join(dir, 'home')), false);
  const before = resourceCounts();
  const bus = new EventBus();
  const events = recorder(bus);
  const proxy = await startProxy({ upstream: brzServe.url, listen: '127.0.0.1:0' }, bus, new IdSource());
  const running = resourceCounts();
  try {
    const client = await open(portOf(proxy.urls[0]));
    client.on('error', () => undefined);
    // The upstream connection is made at the first call; then half of a second request, and the client is gone.
    expect(await exchange(client, HELLO, HELLO_ANSWER)).toContain(HELLO_ANSWER);
    const half = v3Request('get', ['big.bin']).subarray(0, 40);
    client.write(half);
    await until(() => bytesRead(events, 'tcp-server') === HELLO.length + half.length);
    expect(bytesRead(events, 'tcp-server')).toBe(HELLO.length + half.length);
    vanish(client);
    await until(() => openMediums(events).length === 0);
    expect(openMediums(events)).toEqual([]);
    expect(closeReason(events, 'tcp-server')).toBe(reason);
    expect(closeReason(events, 'tcp-client')).toBe('closed by the server side');
    // While the proxy runs: nothing of that connection is left.
    expect(await settledLeaks(running)).toEqual([]);
    // brz serve still serves: the proxy left it in a sane state.
    const next = await open(portOf(proxy.urls[0]));
    expect(await exchange(next, HELLO, HELLO_ANSWER)).toContain(HELLO_ANSWER);
    next.destroy();
  } finally {
    await proxy.stop();
  }
  expect(await settledLeaks(before)).toEqual([]);
});

test('proxy: an upstream that vanishes mid-response ends the client connection with the reason, and leaks nothing', async () => {
  const before = resourceCounts();
  const bus = new EventBus();
  const events = recorder(bus);
  const ids = new IdSource();
  // The upstream is our own server, cut by its drop-after-bytes policy in the middle of the `get` answer.
  const upstream = new TcpListener({
    ownerId: 'upstream',
    address: { host: '127.0.0.1', port: 0 },
    backend: createServerBackend('builtin', { dir: join(dir, 'served'), allowWrites: false }),
    policy: new PolicyStore({ dropAfterBytes: 100 * 1024 }),
    bus: new EventBus(),
    ids: new IdSource(),
  });
  const upstreamUrl = await upstream.listen();
  const proxy = await startProxy({ upstream: upstreamUrl, listen: '127.0.0.1:0' }, bus, ids);
  const running = resourceCounts();
  try {
    const client = await open(portOf(proxy.urls[0]));
    client.on('error', () => undefined);
    const got = await exchange(client, v3Request('get', ['big.bin']), '\u0000never');
    // Part of the answer came, then the connection ended.
    expect(got.length).toBeGreaterThan(50 * 1024);
    expect(got.length).toBeLessThan(512 * 1024);
    await until(() => openMediums(events).length === 0);
    expect(openMediums(events)).toEqual([]);
    const why = /^upstream closed: end of stream in the middle of a response \(\d+ bytes of it received\)$/;
    expect(closeReason(events, 'tcp-server')).toMatch(why);
    const failed = events.find((e) => e.type === 'call-finished' && e.verb === 'get');
    expect(failed?.type === 'call-finished' && failed.error?.message).toMatch(why);
    await until(() => upstream.connectionCount === 0);
    expect(upstream.connectionCount).toBe(0);
    client.destroy();
    expect(await settledLeaks(running)).toEqual([]);
  } finally {
    await proxy.stop();
    await upstream.stop();
  }
  expect(await settledLeaks(before)).toEqual([]);
});

/** The `brz serve --inet` children of this process, oldest first (by start time). */
function serveInetChildren(): number[] {
  const started = (pid: number): number => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  };
  return childProcesses()
    .filter((c) => c.state !== 'Z' && / serve --inet /.test(c.command))
    .map((c) => c.pid)
    .sort((a, b) => started(a) - started(b));
}

test('Breezy backend: a brz serve --inet killed mid-call fails that call clearly, is replaced, and leaves no process behind', async () => {
  const before = resourceCounts();
  const bus = new EventBus();
  const events = recorder(bus);
  const server = await startServer({ backend: 'breezy', dir: join(dir, 'served'), listen: '127.0.0.1:0', allowWrites: false }, bus, new IdSource());
  const running = resourceCounts();
  try {
    const port = portOf(server.urls[0]);
    const client = await open(port);
    client.on('error', () => undefined);
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    // The whole head of a call that takes a body, and only the start of the body: brz is in the middle of it.
    const full = v3Request('Repository.get_parent_map', ['trunk/', 'include-missing:'], Buffer.from('null:\n'.repeat(1000)));
    client.write(full.subarray(0, full.length - 3000));
    await until(() => events.some((e) => e.type === 'medium-opened' && e.kind === 'pipes-client') && events.some((e) => e.type === 'bytes' && e.direction === 'written' && e.mediumId !== undefined && isUpstream(events, e.mediumId)));
    // The connection's process was the spare started with the server: the oldest one.
    const serving = serveInetChildren()[0];
    expect(serving).toBeGreaterThan(0);
    process.kill(serving, 'SIGKILL');
    await closed;
    await until(() => openMediums(events).length === 0);
    expect(openMediums(events)).toEqual([]);
    const why = /^brz serve --inet ended with signal SIGKILL before answering a call$/;
    expect(closeReason(events, 'pipes-client')).toMatch(why);
    expect(closeReason(events, 'tcp-server')).toBe(`upstream closed: brz serve --inet ended with signal SIGKILL before answering a call`);
    const failed = events.find((e) => e.type === 'call-finished' && e.verb === 'Repository.get_parent_map');
    expect(failed?.type === 'call-finished' && failed.error?.message).toMatch(/signal SIGKILL/);
    // Reaped: gone from this process's children, no zombie.
    await until(() => !childProcesses().some((c) => c.pid === serving));
    expect(childProcesses().filter((c) => c.pid === serving || c.state === 'Z')).toEqual([]);
    // The pool took the process back: the next client is served by Breezy.
    const next = await open(port);
    expect(await exchange(next, v3Request('BzrDir.open_2.1', ['trunk/']), 'e')).toContain('3:yes');
    next.destroy();
    // While the server runs: what is left is one process started ahead for the next client, as at the start.
    await until(() => serveInetChildren().length === 1);
    expect(serveInetChildren()).toHaveLength(1);
    expect(await settledLeaks(running, { expectedChild: (command) => / serve --inet /.test(command) })).toEqual([]);
  } finally {
    await server.stop();
  }
  expect(await settledLeaks(before)).toEqual([]);
});

function isUpstream(events: EngineEvent[], mediumId: string): boolean {
  return events.some((e) => e.type === 'medium-opened' && e.mediumId === mediumId && e.kind === 'pipes-client');
}

test('Breezy backend: a brz serve --inet killed before answering: a real brz client retries on a new connection, served by the replacement', async () => {
  const before = resourceCounts();
  const bus = new EventBus();
  const events = recorder(bus);
  const server = await startServer({ backend: 'breezy', dir: join(dir, 'served'), listen: '127.0.0.1:0', allowWrites: false }, bus, new IdSource());
  // The process started ahead will serve brz's connection: stopped, it cannot answer before it is killed.
  await until(() => serveInetChildren().length === 1);
  const serving = serveInetChildren()[0];
  process.kill(serving, 'SIGSTOP');
  try {
    const brz = execFileP('brz', ['log', `bzr://127.0.0.1:${portOf(server.urls[0])}/trunk`], { env: brzFixtureEnv(join(dir, 'home')), timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    await until(() => events.some((e) => e.type === 'bytes' && e.direction === 'written' && isUpstream(events, e.mediumId)), 15_000);
    process.kill(serving, 'SIGKILL');
    // The connection is dropped (not answered with an error), so brz retries the call, as it does for a
    // safe verb whose answer never began, on a new connection with a new process.
    expect(await brz).toEqual({ code: 0, stderr: '' });
    const killed = events.find((e) => e.type === 'medium-closed' && !isUpstream(events, e.mediumId) && /SIGKILL/.test(e.reason));
    expect(killed?.type === 'medium-closed' && killed.reason).toBe('upstream closed: brz serve --inet ended with signal SIGKILL before answering a call');
    expect(events.filter((e) => e.type === 'medium-opened' && e.kind === 'tcp-server').length).toBeGreaterThanOrEqual(2);
    await until(() => openMediums(events).length === 0);
    expect(openMediums(events)).toEqual([]);
  } finally {
    await server.stop();
  }
  expect(await settledLeaks(before)).toEqual([]);
});

test('Breezy backend: clients that vanish while queued for a process cost no process once one is free', async () => {
  const before = resourceCounts();
  const bus = new EventBus();
  const events = recorder(bus);
  const server = await startServer({ backend: 'breezy', dir: join(dir, 'served'), listen: '127.0.0.1:0', allowWrites: false, maxProcesses: 1 }, bus, new IdSource());
  try {
    const port = portOf(server.urls[0]);
    // A holds the only process, in the middle of a call.
    const holder = await open(port);
    holder.on('error', () => undefined);
    const full = v3Request('Repository.get_parent_map', ['trunk/', 'include-missing:'], Buffer.from('null:\n'.repeat(1000)));
    holder.write(full.subarray(0, full.length - 3000));
    await until(() => events.some((e) => e.type === 'bytes' && e.direction === 'written' && isUpstream(events, e.mediumId)));
    // Five more ask for Breezy, wait in the queue, and go away (reset: a FIN would be a half-close,
    // after which a client may still read its answer, so it stays queued, as Breezy serves it).
    const queued = await Promise.all(Array.from({ length: 5 }, () => open(port)));
    for (const q of queued) {
      q.on('error', () => undefined);
      q.write(v3Request('BzrDir.open_2.1', ['trunk/']));
    }
    await until(() => events.filter((e) => e.type === 'call-started' && e.verb === 'BzrDir.open_2.1').length === 5);
    for (const q of queued) q.resetAndDestroy();
    const clientCloses = (): string[] => events.flatMap((e) => (e.type === 'medium-closed' && !isUpstream(events, e.mediumId) ? [e.reason] : []));
    await until(() => clientCloses().length >= 5);
    expect(clientCloses()).toEqual(Array(5).fill('error: read ECONNRESET'));
    // The process is freed: watch which processes run for the next 1.5 s.
    const seen = new Set(serveInetChildren());
    holder.destroy();
    const watchUntil = Date.now() + 1_500;
    while (Date.now() < watchUntil) {
      for (const pid of serveInetChildren()) seen.add(pid);
      await new Promise((r) => setTimeout(r, 10));
    }
    // The holder's process and at most one started ahead for the next client: none for the clients gone.
    expect(seen.size).toBeLessThanOrEqual(2);
    await until(() => openMediums(events).length === 0);
    expect(openMediums(events)).toEqual([]);
  } finally {
    await server.stop();
  }
  expect(await settledLeaks(before)).toEqual([]);
});
