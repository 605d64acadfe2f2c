/**
 * Connection set-ups in the UI's store, fed the events the engine really emits: a set-up is
 * its own row (phases, start, severity); one that fails is a red row with its reason, and
 * leaves no phantom connection behind, even when its call arrives in a later batch.
 */
import { createServer } from 'node:net';
import { expect, test } from 'vitest';
import type { EngineEvent, UnstampedEvent } from '../../src/shared/events';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { SmartClient } from '../../src/main/client/smart-client';
import { SshClientMedium } from '../../src/main/medium/ssh-client-medium';
import { initialState, reduce } from '../../src/renderer/src/store/reducer';
import type { AppState, ConnectionRow } from '../../src/renderer/src/store/types';

function apply(state: AppState, events: EngineEvent[]): AppState {
  return reduce(state, { type: 'events', events });
}

async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** What the engine emits for an app call over bzr+ssh:// whose SSH connect is refused. */
async function refusedSshCall(): Promise<{ events: EngineEvent[]; mediumId: string; port: number }> {
  const port = await refusedPort();
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  const ids = new IdSource();
  const medium = new SshClientMedium({ bus, ids, host: '127.0.0.1', port, agentSocket: '', knownHostsFile: '/dev/null' });
  await expect(new SmartClient(medium, { bus, ids }).call('hello')).rejects.toMatchObject({ code: 'connect-failed' });
  medium.close();
  return { events, mediumId: medium.id, port };
}

test('a refused SSH set-up: one red set-up row with its reason, the failed call, and no phantom medium', async () => {
  const { events, mediumId, port } = await refusedSshCall();
  expect(events.map((e) => e.type)).toEqual(['connection-setup', 'error', 'call-started', 'call-finished']);
  for (const batches of [[events], events.map((e) => [e])]) {
    let s = initialState();
    for (const batch of batches) s = apply(s, batch);
    expect(s.mediums.order).toEqual([]);
    expect(s.mediums.byId[mediumId]).toBeUndefined();
    const [setup, call, ...rest] = s.calls.list;
    expect(rest).toEqual([]);
    expect(setup).toMatchObject({ row: 'conn', event: 'setup', mediumId, severity: 'fail' });
    const ms = '[\\d.]+ m?s';
    expect((setup as ConnectionRow).text).toMatch(
      new RegExp(`^SSH set-up to 127\\.0\\.0\\.1:${port} failed at TCP connect after ${ms}: failed to connect to 127\\.0\\.0\\.1:${port}: Connection refused \\(resolve ${ms} · TCP connect ${ms} ✗\\)$`),
    );
    expect(call).toMatchObject({ row: 'call', verb: 'hello', mediumId, error: { kind: 'transport' } });
  }
});

test('a set-up that worked: its row starts where the set-up did and lists its phases; the medium opens as usual', () => {
  const bus = new EventBus();
  const emit = (e: UnstampedEvent) => bus.emit(e);
  const setup = emit({
    type: 'connection-setup', mediumId: 'm7', kind: 'ssh-client', target: 'u@h:22', ok: true, totalMs: 80,
    phases: [{ phase: 'resolve', ms: 1, ok: true }, { phase: 'tcp-connect', ms: 2, ok: true }, { phase: 'ssh-handshake', ms: 30, ok: true }, { phase: 'host-key', ms: 1, ok: true }, { phase: 'authentication', ms: 20, ok: true }, { phase: 'remote-command', ms: 26, ok: true }],
  });
  const s = apply(initialState(), [
    setup,
    emit({ type: 'medium-opened', mediumId: 'm7', kind: 'ssh-client', role: 'client', peer: 'u@127.0.0.1:22' }),
    emit({ type: 'call-started', mediumId: 'm7', callId: 'c1', protocol: 3, verb: 'hello', args: [], verbKind: 'read', vfs: false, requestBody: null }),
    emit({ type: 'call-finished', mediumId: 'm7', callId: 'c1', verb: 'hello', status: 'S', args: ['ok', '2'], responseBody: null, durationMs: 12, peerMs: 9 }),
  ]);
  expect(s.mediums.byId.m7).toMatchObject({ kind: 'ssh-client', peer: 'u@127.0.0.1:22', state: 'open' });
  const row = s.calls.list[0] as ConnectionRow;
  expect(row).toMatchObject({ event: 'setup', severity: 'ok', startedAt: setup.t - 80, setup: { totalMs: 80 } });
  expect(row.text).toBe('SSH set-up to u@h:22 in 80 ms: resolve 1.0 ms · TCP connect 2.0 ms · SSH handshake 30 ms · host key 1.0 ms · authentication 20 ms · exec remote 26 ms');
  expect(s.calls.list[2]).toMatchObject({ row: 'call', durationMs: 12, peerMs: 9 });
});
