/**
 * The connection core without a socket: requests fed at every split offset and byte by
 * byte, pipelined, answered here and relayed (to a second core through in-memory streams),
 * malformed, half-closed, stopped, timed out. Request and response bytes are written by
 * hand (tests/shared/protocol/support/naive.ts), not by our encoder.
 */
import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import type { EngineEvent, UnstampedEvent } from '../../../../src/shared/events';
import type { PolicySettings } from '../../../../src/shared/policies';
import { EventBus, IdSource } from '../../../../src/main/bus/event-bus';
import type { BackendConnection } from '../../../../src/main/server/backends/backend';
import { HelloBackend } from '../../../../src/main/server/backends/hello';
import { RelayConnection } from '../../../../src/main/server/backends/relay';
import { StreamUpstream } from '../../../../src/main/server/backends/stream-upstream';
import { ConnectionCore } from '../../../../src/main/server/core/connection-core';
import { StreamedBodyError, unknownMethodAnswer, type Answer, type ServerCall } from '../../../../src/main/server/core/server-call';
import { PolicyStore } from '../../../../src/main/server/policies/settings';
import { Bytes, HEADERS, V3 } from '../../../shared/protocol/support/naive';

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** A v3 request or response by hand: marker, the usual headers, then the given parts. */
function v3(...parts: (string | [string, string] | Uint8Array)[]): Uint8Array {
  const b = new Bytes().text(V3).prefixed(HEADERS);
  for (const p of parts) {
    if (p instanceof Uint8Array) b.raw(p);
    else if (Array.isArray(p)) b.text(p[0]).prefixed(p[1]);
    else b.text(p);
  }
  return b.build();
}
const v3Body = (bytes: string) => new Bytes().text('b').prefixed(bytes).build();

const REQ = {
  v1: new Bytes().text('hello\n').build(),
  v2: new Bytes().text('bzr request 2\nhello\n').build(),
  v3: v3(['s', 'l5:helloe'], 'e'),
};
const ANS = {
  v1: 'ok\x012\n',
  v2: 'bzr response 2\nsuccess\nok\x012\n',
  v3: latin1(v3('oS', ['s', 'l2:ok1:2e'], 'e')),
};

/** Answers `hello`; `echo` with its request body; `slow` after a while; `stream` from pieces; else UnknownMethod. */
function testBackend(): BackendConnection {
  return {
    input: 'body',
    handle: async (call: ServerCall): Promise<Answer> => {
      if (call.verb === 'hello') return { status: 'S', args: ['ok', '2'] };
      if (call.verb === 'echo') return { status: 'S', args: ['ok'], body: await call.body.whole(1 << 20, () => new Error('too big')) };
      if (call.verb === 'slow') {
        await new Promise((r) => setTimeout(r, 30));
        return { status: 'S', args: ['late'] };
      }
      if (call.verb === 'stream') {
        const fail = String(call.args[0] ? Buffer.from(call.args[0] as Uint8Array) : '') === 'fail';
        async function* pieces() {
          yield Buffer.from('abc');
          yield Buffer.from('de');
          if (fail) throw new StreamedBodyError(['ReadError', 'disk']);
        }
        return { status: 'S', args: ['ok'], body: { pieces: pieces(), length: fail ? undefined : 5 } };
      }
      return unknownMethodAnswer(call);
    },
    close: () => undefined,
  };
}

function harness(backend: BackendConnection = testBackend(), policy: Partial<PolicySettings> = {}, now?: () => number) {
  const out: Buffer[] = [];
  const events: UnstampedEvent[] = [];
  let closed: string | null = null;
  const settings = new PolicyStore(policy);
  let n = 0;
  const core = new ConnectionCore({
    mediumId: 'm1',
    sink: { write: (b) => void out.push(Buffer.from(b)), close: (r) => void (closed = r) },
    backend,
    policy: () => settings.get(),
    emit: (e) => void events.push(e),
    ids: { take: (p) => `${p}${++n}` },
    now,
  });
  // Lets the async backend's answers go out (a few turns of the event loop).
  const settled = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { core, out: () => latin1(Buffer.concat(out)), closed: () => closed, events, settings, settled };
}

const finished = (events: UnstampedEvent[]) => events.filter((e) => e.type === 'call-finished') as Extract<EngineEvent, { type: 'call-finished' }>[];

async function feedAll(core: ConnectionCore, chunks: Uint8Array[]): Promise<void> {
  for (const c of chunks) await core.feed(c);
}

function splits(bytes: Uint8Array): Uint8Array[][] {
  const modes: Uint8Array[][] = [[bytes], Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))];
  for (let cut = 1; cut < bytes.length; cut++) modes.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
  return modes;
}

test('the constructor checks its sink and backend; a failed core throws on further use', () => {
  const base = { mediumId: 'm1', backend: testBackend(), policy: () => new PolicyStore().get(), emit: () => undefined, ids: new IdSource() };
  expect(() => new ConnectionCore({ ...base, sink: {} as never })).toThrow(/sink.write and sink.close/);
  expect(() => new ConnectionCore({ ...base, sink: { write: () => undefined, close: () => undefined }, backend: {} as never })).toThrow(/backend.handle/);
  const { core, events, closed } = harness();
  core.fail(new Error('invariant broken'));
  expect(closed()).toBe('error: invariant broken');
  expect(events).toContainEqual({ type: 'error', mediumId: 'm1', kind: 'internal', message: 'invariant broken', fatal: true });
  expect(() => core.feed(REQ.v1)).toThrow(/has failed: invariant broken/);
});

test('each version of a request, fed at every split offset and byte by byte, gets the same answer and one call', async () => {
  for (const version of ['v1', 'v2', 'v3'] as const) {
    for (const chunks of splits(REQ[version])) {
      const { core, out, events, settled } = harness();
      await feedAll(core, chunks);
      await settled();
      expect(out(), `${version} in ${chunks.length} pieces`).toBe(ANS[version]);
      expect(finished(events).map((e) => [e.verb, e.status, e.args])).toEqual([['hello', 'S', ['ok', '2']]]);
      expect(core.calls).toBe(1);
    }
  }
});

test('pipelined requests of mixed versions are answered in order, even when an earlier answer is slower', async () => {
  const slow = v3(['s', 'l4:slowe'], 'e');
  const all = Buffer.concat([slow, REQ.v1, REQ.v2, REQ.v3]);
  for (const chunks of [[all], Array.from(all, (_, i) => all.subarray(i, i + 1))]) {
    const { core, out, events, settled } = harness();
    await feedAll(core, chunks);
    await new Promise((r) => setTimeout(r, 100));
    await settled();
    expect(out()).toBe(latin1(v3('oS', ['s', 'l4:latee'], 'e')) + ANS.v1 + ANS.v2 + ANS.v3);
    expect(finished(events).map((e) => e.verb)).toEqual(['slow', 'hello', 'hello', 'hello']);
  }
});

test('a request body reaches the backend whole at every split, and its answer body goes out as v3 parts', async () => {
  const req = v3(['s', 'l4:echoe'], v3Body('hello body'), 'e');
  for (const chunks of splits(req)) {
    const { core, out, settled, events } = harness();
    await feedAll(core, chunks);
    await settled();
    expect(out()).toBe(latin1(v3('oS', ['s', 'l2:oke'], v3Body('hello body'), 'e')));
    expect(events.find((e) => e.type === 'call-started')).toMatchObject({ verb: 'echo', requestBody: { length: 10, parts: 1, preview: 'hello body' } });
  }
});

test('a streamed answer goes out piece by piece: v3 parts, a v2 length-prefixed body, and an error in mid-stream', async () => {
  let h = harness();
  await h.core.feed(v3(['s', 'l6:streame'], 'e'));
  await h.settled();
  expect(h.out()).toBe(latin1(v3('oS', ['s', 'l2:oke'], v3Body('abc'), v3Body('de'), 'e')));
  h = harness();
  await h.core.feed(v3(['s', 'l6:stream4:faile'], 'e'));
  await h.settled();
  expect(h.out()).toBe(latin1(v3('oS', ['s', 'l2:oke'], v3Body('abc'), v3Body('de'), 'oE', ['s', 'l9:ReadError4:diske'], 'e')));
  expect(finished(h.events)[0]).toMatchObject({ status: 'E', args: ['ReadError', 'disk'], responseBody: { length: 5, parts: 2 } });
});

test('a malformed request is answered with an error in its version after the requests before it, then the connection closes', async () => {
  const giant = new Bytes().text(V3).u32(0xffffffff).build();
  for (const chunks of splits(Buffer.concat([REQ.v2, giant]))) {
    const { core, out, closed, events, settled } = harness();
    await feedAll(core, chunks);
    await settled();
    expect(out().startsWith(ANS.v2 + V3)).toBe(true);
    expect(out()).toMatch(/oEs.*l5:error\d+:headers of 4294967295 bytes exceeds the 16777216-byte limit/s);
    expect(closed()).toMatch(/^malformed request: /);
    expect(finished(events).map((e) => [e.verb, e.status])).toEqual([['hello', 'S']]);
  }
});

test('garbage that is not a request gets Breezy\'s v1 error answer and the connection closes', async () => {
  const { core, out, closed, events, settled } = harness();
  await core.feed(Buffer.from('bzr message 3 (bzr 1.6)\n\xff\xff\xff\xff'));
  await settled();
  expect(out()).toMatch(/^bzr message 3 \(bzr 1\.6\)\n/);
  expect(closed()).toMatch(/^malformed request: /);
  expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'protocol', fatal: true });
  expect(() => core.feed(REQ.v1)).not.toThrow();
});

test('a half-close answers what was asked in full, then closes; a request cut short closes at once', async () => {
  let h = harness();
  await h.core.feed(Buffer.concat([REQ.v1, REQ.v3]));
  h.core.inputEnded();
  await h.settled();
  expect(h.out()).toBe(ANS.v1 + ANS.v3);
  expect(h.closed()).toBe('client closed the connection');
  h = harness();
  await h.core.feed(REQ.v3.subarray(0, 30));
  h.core.inputEnded();
  expect(h.closed()).toBe('client closed the connection');
  expect(h.out()).toBe('');
});

test('a graceful stop finishes the call in progress, then closes', async () => {
  const { core, out, closed, settled } = harness();
  await core.feed(v3(['s', 'l4:slowe'], 'e'));
  core.stop();
  expect(closed()).toBeNull();
  await new Promise((r) => setTimeout(r, 100));
  await settled();
  expect(out()).toBe(latin1(v3('oS', ['s', 'l4:latee'], 'e')));
  expect(closed()).toBe('server stopped');
});

test('the idle timeout counts from the last byte, between requests and in the middle of one, but not while an answer is owed', async () => {
  let now = 0;
  const { core, closed, events } = harness(testBackend(), { clientTimeoutSec: 2 }, () => now);
  await core.feed(REQ.v1);
  now = 1900;
  expect(core.checkTimeout()).toBeNull();
  await core.feed(REQ.v3.subarray(0, 10)); // half a request: the client stalls
  now = 3800;
  expect(core.checkTimeout()).toBeNull();
  now = 3900;
  expect(core.checkTimeout()).toBe('disconnecting client after 2.0 seconds');
  expect(closed()).toBe('disconnecting client after 2.0 seconds');
  expect(events).toContainEqual({ type: 'timeout', mediumId: 'm1', message: 'disconnecting client after 2.0 seconds', seconds: 2 });
  // While the backend works on a whole request, the client is not idle.
  let later = 0;
  const h = harness(testBackend(), { clientTimeoutSec: 1 }, () => later);
  await h.core.feed(v3(['s', 'l4:slowe'], 'e'));
  later = 5000;
  expect(h.core.checkTimeout()).toBeNull();
});

test('policies decide per call, and every policy-action names its call', async () => {
  const { core, out, events, settled } = harness(testBackend(), { refuseVfs: true, errorVerb: { verb: 'echo', error: ['LockContention'] } });
  await core.feed(Buffer.concat([new Bytes().text('bzr request 2\nget\x01/x\n').build(), REQ.v1, v3(['s', 'l4:echoe'], 'e')]));
  await settled();
  const started = events.filter((e) => e.type === 'call-started') as Extract<EngineEvent, { type: 'call-started' }>[];
  const actions = events.filter((e) => e.type === 'policy-action') as Extract<EngineEvent, { type: 'policy-action' }>[];
  expect(actions.map((a) => [a.policy, a.callId])).toEqual([
    ['refuse-vfs', started[0].callId],
    ['error-verb', started[2].callId],
  ]);
  expect(out()).toBe(
    "bzr response 2\nfailed\nerror\x01VFS requests over the smart server are not allowed. Encountered: get, (b'/x',).\n" +
      ANS.v1 +
      latin1(v3('oE', ['s', 'l14:LockContentione'], 'e')),
  );
});

test('a chosen Software version replaces the v3 header, and a body is cut in its middle', async () => {
  const version = harness(testBackend(), { emulate: { maxProtocol: 3, unknownVerbs: [], softwareVersion: '1.6.0' } });
  await version.core.feed(REQ.v3);
  await version.settled();
  expect(version.out()).toBe(latin1(new Bytes().text(V3).prefixed('d16:Software version5:1.6.0e').text('oS').text('s').prefixed('l2:ok1:2e').text('e').build()));
  const cut = harness(testBackend(), { cutBodyOfVerb: 'echo' });
  const body = 'x'.repeat(1000);
  await cut.core.feed(v3(['s', 'l4:echoe'], v3Body(body), 'e'));
  await cut.settled();
  expect(cut.closed()).toBe('policy cut the response body of echo');
  expect(cut.out().length).toBeGreaterThan(100);
  expect(cut.out().length).toBeLessThan(v3('oS', ['s', 'l2:oke'], v3Body(body), 'e').length);
  expect(finished(cut.events)[0]).toMatchObject({ status: null, error: { kind: 'transport' } });
});

/** A relay to a second core (hello only) through in-memory streams: no socket. */
function relayToCore(bus: EventBus, ids: IdSource) {
  const toUpstream = new PassThrough();
  const fromUpstream = new PassThrough();
  const upstreamCore = new ConnectionCore({
    mediumId: 'up',
    sink: { write: (b) => void fromUpstream.write(b), close: () => fromUpstream.end() },
    backend: new HelloBackend().open(),
    policy: () => new PolicyStore().get(),
    emit: () => undefined,
    ids,
  });
  toUpstream.on('data', (c: Buffer) => void upstreamCore.feed(c));
  let relay: RelayConnection | null = null;
  relay = new RelayConnection(
    { mediumId: 'm1', peer: 'test', bus, ids, closeClient: () => undefined, finish: () => undefined },
    { kind: 'pipes-client', peer: 'in-memory core' },
    () => new StreamUpstream({ input: fromUpstream, output: toUpstream, teardown: () => toUpstream.end() }),
  );
  return relay;
}

test('relayed and local answers interleave in request order; relayed bytes pass unchanged; the upstream counts its calls', async () => {
  const bus = new EventBus();
  const seen: EngineEvent[] = [];
  bus.on((e) => seen.push(e));
  const ids = new IdSource();
  const requests = Buffer.concat([REQ.v3, new Bytes().text('bzr request 2\nget\x01/x\n').build(), REQ.v2, REQ.v1]);
  for (const chunks of [[requests], Array.from(requests, (_, i) => requests.subarray(i, i + 1))]) {
    const relay = relayToCore(bus, ids);
    const { core, out, events, settled } = harness(relay, { refuseVfs: true });
    await feedAll(core, chunks);
    await settled();
    expect(out()).toBe(ANS.v3 + "bzr response 2\nfailed\nerror\x01VFS requests over the smart server are not allowed. Encountered: get, (b'/x',).\n" + ANS.v2 + ANS.v1);
    const started = events.filter((e) => e.type === 'call-started') as Extract<EngineEvent, { type: 'call-started' }>[];
    const upstream = seen.filter((e) => e.type === 'medium-opened').at(-1) as Extract<EngineEvent, { type: 'medium-opened' }>;
    expect(upstream).toMatchObject({ role: 'client', parentMediumId: 'm1' });
    expect(started.map((e) => e.upstreamMediumId)).toEqual([upstream.mediumId, undefined, upstream.mediumId, upstream.mediumId]);
    core.inputEnded();
    await settled();
    expect(seen.find((e) => e.type === 'medium-closed' && e.mediumId === upstream.mediumId)).toMatchObject({ calls: 3, vfsCalls: 0 });
  }
});
