import { createServer, type Server } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { Engine } from '../../../src/main/engine/engine';
import { realBackends } from '../../../src/main/engine/real-backends';

const engines: Engine[] = [];
function engine(): Engine {
  const e = new Engine(realBackends);
  engines.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
});

test('every command validates its arguments before anything runs', async () => {
  const e = engine();
  const r = await e.invoke('ui:proxy:start', { upstream: 'ftp://x/', listen: '127.0.0.1:0' });
  expect(r).toEqual({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/upstream/) } });
  expect((await e.invoke('ui:nope', null)).ok).toBe(false);
  expect(await e.run('ui:owners:list', null)).toEqual({ ok: true, data: [] });
});

test('a real proxy: started, listed, policy switched, stopped; unknown owners are not-found', async () => {
  // An upstream that accepts and closes: the proxy only needs it when a client connects.
  const upstream: Server = createServer((s) => s.destroy());
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const port = (upstream.address() as { port: number }).port;
  try {
    const e = engine();
    const started = await e.run('ui:proxy:start', { upstream: `bzr://127.0.0.1:${port}/`, listen: '127.0.0.1:0' });
    if (!started.ok) throw new Error(started.error.message);
    const owner = started.data;
    expect(owner.kind).toBe('proxy');
    expect(owner.urls[0]).toMatch(/^bzr:\/\/127\.0\.0\.1:\d+\/$/);
    expect(owner.policy.refuseVfs).toBe(false);
    const listed = await e.run('ui:owners:list', null);
    expect(listed.ok && listed.data.map((o) => o.ownerId)).toEqual([owner.ownerId]);
    const switched = await e.run('ui:policy:set', { ownerId: owner.ownerId, policy: { refuseVfs: true } });
    expect(switched.ok && switched.data.policy.refuseVfs).toBe(true);
    // The validator knows every policy field the server has (the whole set round-trips).
    const whole = await e.invoke('ui:policy:set', { ownerId: owner.ownerId, policy: owner.policy });
    expect(whole.ok).toBe(true);
    expect(await e.run('ui:owner:stop', { ownerId: owner.ownerId })).toEqual({ ok: true, data: null });
    const again = await e.run('ui:owner:stop', { ownerId: owner.ownerId });
    expect(again.ok ? null : again.error.code).toBe('not-found');
  } finally {
    upstream.close();
  }
});

test('a listen address in use is reported as listen-failed, naming the address', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = await engine().run('ui:proxy:start', { upstream: 'bzr://127.0.0.1:1/', listen: `127.0.0.1:${port}` });
    expect(r.ok ? null : r.error.code).toBe('listen-failed');
    expect(r.ok ? '' : r.error.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}`));
  } finally {
    blocker.close();
  }
});

test('the app client VFS switch and the replay of recent events', async () => {
  const e = engine();
  expect(await e.run('ui:client:refuse-vfs', { enabled: true })).toEqual({ ok: true, data: { enabled: true } });
  e.bus.emit({ type: 'error', kind: 'internal', message: 'x', fatal: false });
  const replay = await e.run('ui:events:replay', null);
  expect(replay.ok && replay.data.map((ev) => ev.type)).toEqual(['error']);
});
