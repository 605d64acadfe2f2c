/**
 * A relay's time with its peer and its upstream's set-up, through real proxies: to a real
 * `brz serve` over TCP and over a real sshd. The upstream's set-up is a `connection-setup` of
 * its own, the first call's duration leaves it out, and each relayed call carries the peer's
 * share (`peerMs`); delays a policy adds (latency, response delay, jitter) are our side.
 */
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../../../src/shared/events';
import { EventBus, IdSource } from '../../../../src/main/bus/event-bus';
import { SmartClient } from '../../../../src/main/client/smart-client';
import { TcpClientMedium } from '../../../../src/main/medium/tcp-client-medium';
import { startProxy, type RunningOwner } from '../../../../src/main/server';
import { startTestHosts, type TestHosts } from '../../../support/test-hosts';

let hosts: TestHosts;
beforeAll(() => {
  hosts = startTestHosts();
});
afterAll(() => hosts?.stop());
const owners: RunningOwner[] = [];
afterEach(async () => {
  for (const o of owners.splice(0)) await o.stop();
});

type Setup = Extract<EngineEvent, { type: 'connection-setup' }>;
type Finished = Extract<EngineEvent, { type: 'call-finished' }>;
type Opened = Extract<EngineEvent, { type: 'medium-opened' }>;

function recorder(): { bus: EventBus; events: EngineEvent[] } {
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  return { bus, events };
}

/** `count` hello calls through the proxy on one connection; the proxy's own call-finished events. */
async function hellos(proxy: RunningOwner, events: EngineEvent[], count: number): Promise<Finished[]> {
  const ids = new IdSource();
  const [host, port] = new URL(proxy.urls[0]).host.split(':');
  const medium = new TcpClientMedium({ bus: new EventBus(), ids, host, port: Number(port) });
  const client = new SmartClient(medium, { bus: new EventBus(), ids });
  for (let i = 0; i < count; i++) await client.call('hello');
  medium.close();
  const served = events.find((e): e is Opened => e.type === 'medium-opened' && e.role === 'server');
  return events.filter((e): e is Finished => e.type === 'call-finished' && e.mediumId === served?.mediumId);
}

test('a bzr+ssh upstream: its set-up is its own event with SSH phases, and not part of the first call', async () => {
  const { bus, events } = recorder();
  const { SSH_USER, SSH_PORT, SSH_KEY, SSH_KNOWN_HOSTS } = hosts.env;
  const proxy = await startProxy({ upstream: `bzr+ssh://${SSH_USER}@127.0.0.1:${SSH_PORT}/`, listen: '127.0.0.1:0', identity: SSH_KEY, knownHosts: SSH_KNOWN_HOSTS }, bus, new IdSource());
  owners.push(proxy);
  const calls = await hellos(proxy, events, 3);
  expect(calls).toHaveLength(3);
  const upstream = events.find((e): e is Opened => e.type === 'medium-opened' && e.role === 'client');
  const setup = events.find((e): e is Setup => e.type === 'connection-setup');
  expect(setup).toMatchObject({ mediumId: upstream?.mediumId, kind: 'ssh-client', target: `${SSH_USER}@127.0.0.1:${SSH_PORT}`, ownerId: proxy.ownerId, ok: true });
  expect(setup?.phases.map((p) => p.phase)).toEqual(['resolve', 'tcp-connect', 'ssh-handshake', 'host-key', 'authentication', 'remote-command']);
  // Told before the first call finished; that call's time starts once the upstream was ready.
  expect(events.indexOf(setup as Setup)).toBeLessThan(events.indexOf(calls[0]));
  const setupMs = (setup as Setup).totalMs;
  expect(setupMs).toBeGreaterThan(5);
  // The remote brz starting up is the peer's time; ours is what is left, and holds no set-up.
  expect(calls[0].durationMs - (calls[0].peerMs as number)).toBeLessThan(setupMs);
  for (const call of calls) {
    expect(call.peerMs).toBeGreaterThan(0);
    expect(call.peerMs).toBeLessThanOrEqual(call.durationMs);
  }
});

test('an upstream that refuses: a failed set-up naming why', async () => {
  const { bus, events } = recorder();
  const proxy = await startProxy({ upstream: 'bzr://127.0.0.1:9/', listen: '127.0.0.1:0' }, bus, new IdSource());
  owners.push(proxy);
  const calls = await hellos(proxy, events, 1);
  expect(calls[0].args).toEqual(['error', 'hpss: cannot reach the upstream: failed to connect to 127.0.0.1:9: Connection refused']);
  const setup = events.find((e): e is Setup => e.type === 'connection-setup');
  expect(setup).toMatchObject({ kind: 'tcp-client', target: '127.0.0.1:9', ok: false, reason: 'failed to connect to 127.0.0.1:9: Connection refused' });
  expect(setup?.phases.at(-1)).toMatchObject({ phase: 'tcp-connect', ok: false });
});

test('jitter through a real proxy: each delay within [base, base + jitter], not all equal, and all on our side', async () => {
  const { bus, events } = recorder();
  const base = { latencyMs: 15, responseDelayMs: 10, jitterMs: 30 };
  const proxy = await startProxy({ upstream: hosts.env.BZR_URL, listen: '127.0.0.1:0', policy: base }, bus, new IdSource());
  owners.push(proxy);
  const calls = await hellos(proxy, events, 12);
  expect(calls).toHaveLength(12);
  const drawn = (what: 'request' | 'response') =>
    new Map(
      events.flatMap((e) => {
        if (e.type !== 'policy-action' || e.policy !== 'jitter') return [];
        const m = new RegExp(`delayed the ${what} (\\d+) ms more`).exec(e.action);
        return m ? [[e.callId as string, Number(m[1])] as const] : [];
      }),
    );
  const requests = drawn('request');
  const responses = drawn('response');
  expect(requests.size).toBe(12);
  expect(responses.size).toBe(12);
  for (const j of [...requests.values(), ...responses.values()]) {
    expect(j).toBeGreaterThanOrEqual(0);
    expect(j).toBeLessThanOrEqual(base.jitterMs);
  }
  expect(new Set([...requests.values(), ...responses.values()]).size).toBeGreaterThan(1);
  for (const call of calls) {
    const added = base.latencyMs + base.responseDelayMs + (requests.get(call.callId) as number) + (responses.get(call.callId) as number);
    // The delays are waited out here (timers fire late, never early), before and after the peer's share.
    expect((call.durationMs) - (call.peerMs as number)).toBeGreaterThanOrEqual(added - 2);
    expect(call.durationMs).toBeLessThan(added + 500);
  }
});
