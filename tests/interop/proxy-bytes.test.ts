/**
 * The proxy relays transparently, so its upstream (a client medium of the same owner)
 * reports the bytes of its downstream medium the other way round; and relayed calls carry
 * the request's and the response's headers and first bytes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/shared/events';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { startProxy, type RunningOwner } from '../../src/main/server';
import { settle } from '../support/settle';
import { startTestHosts, type TestHosts } from '../support/test-hosts';

const run = promisify(execFile);
let hosts: TestHosts;
let proxy: RunningOwner;
const events: EngineEvent[] = [];
const bus = new EventBus();
bus.on((e) => events.push(e));

beforeAll(async () => {
  hosts = startTestHosts();
  proxy = await startProxy({ upstream: hosts.env.BZR_URL, listen: '127.0.0.1:0' }, bus, new IdSource());
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  hosts?.stop();
});

function bytesOf(mediumId: string, direction: 'read' | 'written'): number {
  return events.reduce((n, e) => (e.type === 'bytes' && e.mediumId === mediumId && e.direction === direction ? n + e.count : n), 0);
}

test('a proxied brz log: the upstream medium counts the downstream medium\'s bytes, each way', async () => {
  const { stdout } = await run('brz', ['log', `${proxy.urls[0]}trunk`], { env: hosts.brzEnv(), timeout: 20_000 });
  expect(stdout).toContain('revno: 3');
  const opened = events.filter((e): e is Extract<EngineEvent, { type: 'medium-opened' }> => e.type === 'medium-opened' && e.ownerId === proxy.ownerId);
  const downstream = opened.filter((e) => e.role === 'server');
  const upstream = opened.filter((e) => e.role === 'client');
  expect(upstream.length).toBe(downstream.length);
  expect(upstream.length).toBeGreaterThan(0);
  const closed = () => events.filter((e) => e.type === 'medium-closed' && opened.some((o) => o.mediumId === e.mediumId)).length;
  await settle(closed, opened.length);
  // Connection i of the client pairs with upstream connection i (opened together).
  for (let i = 0; i < downstream.length; i++) {
    const down = downstream[i].mediumId;
    const up = upstream[i].mediumId;
    expect(bytesOf(up, 'written')).toBeGreaterThan(0);
    expect([bytesOf(up, 'written'), bytesOf(up, 'read')]).toEqual([bytesOf(down, 'read'), bytesOf(down, 'written')]);
  }
});

test('relayed calls carry v3 headers and the exact first bytes of request and response', () => {
  const started = events.filter((e): e is Extract<EngineEvent, { type: 'call-started' }> => e.type === 'call-started');
  const finished = events.filter((e): e is Extract<EngineEvent, { type: 'call-finished' }> => e.type === 'call-finished');
  expect(started.length).toBeGreaterThan(3);
  for (const e of started) {
    expect(e.headers).toEqual({ 'Software version': '3.3.2' });
    const raw = Buffer.from(e.raw?.base64 ?? '', 'base64');
    expect(raw.subarray(0, 24).toString('latin1')).toBe('bzr message 3 (bzr 1.6)\n');
    expect(raw.toString('latin1')).toContain(e.verb);
    expect(raw.length).toBe(Math.min(e.raw?.length ?? 0, 4096));
    expect(e.raw?.truncated).toBe((e.raw?.length ?? 0) > 4096);
  }
  for (const e of finished) {
    expect(e.headers).toEqual({ 'Software version': '3.3.2' });
    const raw = Buffer.from(e.raw?.base64 ?? '', 'base64');
    expect(raw.subarray(0, 24).toString('latin1')).toBe('bzr message 3 (bzr 1.6)\n');
    // A whole response ends with the v3 end byte.
    if (!e.raw?.truncated) expect(raw[raw.length - 1]).toBe('e'.charCodeAt(0));
  }
});
