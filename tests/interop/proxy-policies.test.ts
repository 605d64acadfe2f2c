/**
 * Policies of a running proxy against a real brz client: each is switched on while the
 * proxy runs, the client sees what the policy does (fallbacks, errors, cut connections),
 * the policy's action is an event with the verb's retry class, and the proxy keeps serving.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { PolicySettings } from '../../src/shared/api';
import type { EngineEvent } from '../../src/shared/events';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { startProxy, type RunningOwner } from '../../src/main/server';
import { defaultPolicy } from '../../src/shared/policies';
import { startTestHosts, type TestHosts } from '../support/test-hosts';
import { brz, type ScenarioEnv } from '../support/brz-scenario';

let hosts: TestHosts;
let scratch: string;
let s: ScenarioEnv;
let proxy: RunningOwner;
let events: EngineEvent[] = [];

beforeAll(async () => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-policies-'));
  s = { env: hosts.brzEnv(), work: scratch, logDir: scratch };
  const bus = new EventBus();
  bus.on((e) => events.push(e));
  proxy = await startProxy({ upstream: hosts.env.BZR_URL, listen: '127.0.0.1:0' }, bus, new IdSource());
});

afterEach(() => {
  proxy.setPolicy(defaultPolicy());
  events = [];
});

afterAll(async () => {
  await proxy?.stop();
  hosts?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const log = () => brz(s, 'log', ['log', '--line', `${proxy.urls[0]}trunk`]);
const actions = (policy: string) => events.filter((e): e is Extract<EngineEvent, { type: 'policy-action' }> => e.type === 'policy-action' && e.policy === policy);

async function stillServes(): Promise<void> {
  proxy.setPolicy(defaultPolicy());
  const r = await log();
  expect(r.code).toBe(0);
  expect(r.output).toMatch(/1: Bzr Test 2020-01-01 Initial import/);
}

async function withPolicy(policy: Partial<PolicySettings>) {
  proxy.setPolicy(policy);
  return log();
}

test('emulating a v2-only server makes brz reconnect and fall back to protocol 2', async () => {
  const r = await withPolicy({ emulate: { maxProtocol: 2, unknownVerbs: [], softwareVersion: null } });
  expect(r.code).toBe(0);
  expect(r.output).toContain('Server does not understand Bazaar network protocol 3, reconnecting.');
  expect(r.output).toMatch(/Initial import/);
  expect(actions('emulate').length).toBe(1);
  const protocols = new Set(events.flatMap((e) => (e.type === 'call-started' ? [e.protocol] : [])));
  expect(protocols).toEqual(new Set([3, 2]));
});

test('emulating a v1-only server: brz gives up with "not a Bazaar server"', async () => {
  const r = await withPolicy({ emulate: { maxProtocol: 1, unknownVerbs: [], softwareVersion: null } });
  expect(r.code).not.toBe(0);
  expect(r.output).toContain('Server is not a Bazaar server');
  await stillServes();
});

test('a verb answered as unknown makes brz fall back to an older verb', async () => {
  const r = await withPolicy({ emulate: { maxProtocol: 3, unknownVerbs: ['BzrDir.open_2.1'], softwareVersion: '1.5' } });
  expect(r.code).toBe(0);
  expect(actions('emulate')).toMatchObject([{ verb: 'BzrDir.open_2.1', retryClass: 'read' }]);
  const verbs = events.flatMap((e) => (e.type === 'call-started' ? [e.verb] : []));
  expect(verbs.slice(0, 2)).toEqual(['BzrDir.open_2.1', 'BzrDir.open']);
});

test('a verb answered with a chosen error tuple: brz shows it', async () => {
  const r = await withPolicy({ errorVerb: { verb: 'Branch.get_stacked_on_url', error: ['error', 'injected by the proxy'] } });
  expect(r.code).not.toBe(0);
  expect(r.output).toContain('injected by the proxy');
  expect(actions('error-verb')).toMatchObject([{ verb: 'Branch.get_stacked_on_url', retryClass: 'read' }]);
  await stillServes();
});

test('drop on a named verb and after N bytes: brz fails, the proxy goes on', async () => {
  for (const policy of [{ dropOnVerb: 'Branch.last_revision_info' }, { dropAfterBytes: 100 }] as Partial<PolicySettings>[]) {
    events = [];
    const r = await withPolicy(policy);
    expect(r.code, JSON.stringify(policy)).not.toBe(0);
    expect(events.some((e) => e.type === 'policy-action' && e.policy.startsWith('drop'))).toBe(true);
    const closed = events.find((e) => e.type === 'medium-closed');
    expect(closed?.type === 'medium-closed' && closed.reason).toMatch(/^policy dropped the connection/);
    if (policy.dropOnVerb) {
      const finished = events.find((e) => e.type === 'call-finished' && e.verb === policy.dropOnVerb);
      expect(finished).toMatchObject({ status: null, error: { kind: 'policy', message: `policy dropped the connection at ${policy.dropOnVerb}` } });
    }
    await stillServes();
  }
});

test('drop after the N-th call: brz retries its read verbs on a new connection, as their retry class says', async () => {
  const r = await withPolicy({ dropAfterCalls: 2 });
  expect(r.code).toBe(0);
  expect(r.output).toMatch(/ConnectionReset (calling|reading response for) .*retrying/);
  const dropped = actions('drop-after-calls');
  expect(dropped.length).toBeGreaterThanOrEqual(1);
  expect(dropped.every((a) => a.retryClass === 'read')).toBe(true);
  expect(events.filter((e) => e.type === 'medium-opened' && e.role === 'server').length).toBe(dropped.length + 1);
});

test('a response body cut in the middle: brz branch fails, the proxy goes on', async () => {
  proxy.setPolicy({ cutBodyOfVerb: 'Repository.get_stream_1.19' });
  const r = await brz(s, 'branch', ['branch', `${proxy.urls[0]}trunk`, join(scratch, 'cut')]);
  expect(r.code).not.toBe(0);
  expect(actions('cut-body')).toMatchObject([{ verb: 'Repository.get_stream_1.19', retryClass: 'read' }]);
  await stillServes();
});

test('latency, response delay and a bandwidth cap slow calls down but change nothing else', async () => {
  const r = await withPolicy({ latencyMs: 5, responseDelayMs: 5, bandwidthBytesPerSec: 1_000_000 });
  expect(r.code).toBe(0);
  expect(r.output).toMatch(/Initial import/);
  const calls = events.filter((e) => e.type === 'call-started').length;
  expect(actions('latency').length).toBe(calls);
  expect(actions('response-delay').length).toBe(calls);
});

test('a chosen Software version header reaches brz in relayed v3 responses', async () => {
  proxy.setPolicy({ emulate: { maxProtocol: 3, unknownVerbs: [], softwareVersion: '1.6.1' } });
  const r = await brz(s, 'ping', ['ping', proxy.urls[0]]);
  expect(r.code).toBe(0);
  expect(r.output).toContain("Headers: {'Software version': '1.6.1'}");
});
