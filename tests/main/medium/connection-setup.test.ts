/**
 * A client connection's set-up is its own `connection-setup` event (each phase timed), told
 * before `medium-opened`, and not part of the first call's duration — against a real sshd and
 * a real `brz serve`. A set-up that fails is a failed event with its reason and no medium.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events';
import { EventBus, IdSource } from '../../../src/main/bus/event-bus';
import { SmartClient } from '../../../src/main/client/smart-client';
import { SshClientMedium } from '../../../src/main/medium/ssh-client-medium';
import { TcpClientMedium } from '../../../src/main/medium/tcp-client-medium';
import { startTestHosts, type TestHosts } from '../../support/test-hosts';

let hosts: TestHosts;
beforeAll(() => {
  hosts = startTestHosts();
});
afterAll(() => hosts?.stop());

const ids = new IdSource();

function recorder(): { bus: EventBus; events: EngineEvent[] } {
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  return { bus, events };
}

type Setup = Extract<EngineEvent, { type: 'connection-setup' }>;
type Finished = Extract<EngineEvent, { type: 'call-finished' }>;

function sshMedium(bus: EventBus): SshClientMedium {
  return new SshClientMedium({
    bus, ids, host: '127.0.0.1', port: hosts.env.SSH_PORT, username: hosts.env.SSH_USER, identityFile: hosts.env.SSH_KEY,
    knownHostsFile: hosts.env.SSH_KNOWN_HOSTS, agentSocket: '', remotePath: 'brz',
  });
}

test('an SSH set-up is one event with its phases, before medium-opened; the first call\'s duration leaves it out', async () => {
  const { bus, events } = recorder();
  const medium = sshMedium(bus);
  const client = new SmartClient(medium, { bus, ids });
  const t0 = performance.now();
  await client.call('hello');
  const wall = performance.now() - t0;
  await client.call('hello');
  medium.close();

  const mine = events.filter((e) => 'mediumId' in e && e.mediumId === medium.id);
  const setupAt = mine.findIndex((e) => e.type === 'connection-setup');
  expect(mine[setupAt + 1]?.type).toBe('medium-opened');
  const setup = mine[setupAt] as Setup;
  expect(setup).toMatchObject({ kind: 'ssh-client', target: `${hosts.env.SSH_USER}@127.0.0.1:${hosts.env.SSH_PORT}`, ok: true });
  expect(setup.phases.map((p) => `${p.phase}:${p.ok}`)).toEqual(['resolve:true', 'tcp-connect:true', 'ssh-handshake:true', 'host-key:true', 'authentication:true', 'remote-command:true']);
  const phaseSum = setup.phases.reduce((n, p) => n + p.ms, 0);
  expect(setup.totalMs).toBeGreaterThanOrEqual(phaseSum - 1);
  // An SSH login over loopback takes milliseconds; the hello after it far less.
  expect(setup.totalMs).toBeGreaterThan(5);
  expect(events.filter((e) => e.type === 'connection-setup')).toHaveLength(1);

  const [first, second] = mine.filter((e): e is Finished => e.type === 'call-finished');
  // The call's time is what is left of the wall time once the set-up is taken out.
  expect(first.durationMs).toBeLessThanOrEqual(wall - setup.totalMs + 1);
  expect(first.durationMs).toBeGreaterThan(0);
  // The peer's share: from the request's last byte to the response's end, within the call.
  for (const call of [first, second]) {
    expect(call.peerMs).toBeGreaterThan(0);
    expect(call.peerMs).toBeLessThanOrEqual(call.durationMs);
  }
});

test('a plain TCP set-up has its resolve and connect phases only', async () => {
  const { bus, events } = recorder();
  const medium = new TcpClientMedium({ bus, ids, host: '127.0.0.1', port: hosts.env.BZR_TCP_PORT });
  const client = new SmartClient(medium, { bus, ids });
  await client.call('hello');
  medium.close();
  const setup = events.find((e): e is Setup => e.type === 'connection-setup');
  expect(setup).toMatchObject({ mediumId: medium.id, kind: 'tcp-client', target: `127.0.0.1:${hosts.env.BZR_TCP_PORT}`, ok: true });
  expect(setup?.phases.map((p) => p.phase)).toEqual(['resolve', 'tcp-connect']);
});

test('a refused connection is a failed set-up with its reason, and the medium never opens', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  const { bus, events } = recorder();
  const medium = new SshClientMedium({ bus, ids, host: '127.0.0.1', port, identityFile: hosts.env.SSH_KEY, knownHostsFile: hosts.env.SSH_KNOWN_HOSTS, agentSocket: '' });
  const client = new SmartClient(medium, { bus, ids });
  await expect(client.call('hello')).rejects.toMatchObject({ code: 'connect-failed' });
  medium.close();
  const setup = events.find((e): e is Setup => e.type === 'connection-setup');
  expect(setup).toMatchObject({ mediumId: medium.id, kind: 'ssh-client', ok: false, reason: `failed to connect to 127.0.0.1:${port}: Connection refused` });
  expect(setup?.phases.map((p) => `${p.phase}:${p.ok}`)).toEqual(['resolve:true', 'tcp-connect:false']);
  expect(events.some((e) => e.type === 'medium-opened' || e.type === 'medium-closed')).toBe(false);
});

test('a changed host key fails the set-up at the host key phase', async () => {
  const changed = join(mkdtempSync(join(tmpdir(), 'hpss-setup-kh-')), 'known_hosts');
  writeFileSync(changed, `[127.0.0.1]:${hosts.env.SSH_PORT} ${readFileSync(`${hosts.env.SSH_KEY}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
  const { bus, events } = recorder();
  const medium = new SshClientMedium({ bus, ids, host: '127.0.0.1', port: hosts.env.SSH_PORT, username: hosts.env.SSH_USER, identityFile: hosts.env.SSH_KEY, knownHostsFile: changed, agentSocket: '' });
  await expect(medium.connect()).rejects.toMatchObject({ code: 'host-key-changed' });
  const setup = events.find((e): e is Setup => e.type === 'connection-setup');
  expect(setup?.ok).toBe(false);
  expect(setup?.reason).toMatch(/host key for \[127\.0\.0\.1\]:\d+ has CHANGED/);
  expect(setup?.phases.at(-1)).toMatchObject({ phase: 'host-key', ok: false });
});
