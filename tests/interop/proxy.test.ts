/**
 * `hpss proxy` between a real brz client and a real server — `brz serve` over bzr:// and
 * sshd running `bzr serve --inet` over bzr+ssh:// — gives the same results as direct, and
 * records per connection the calls brz itself counts with -Dhpss.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/shared/events';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { startProxy, type RunningOwner } from '../../src/main/server';
import { startHpss } from '../support/hpss-cli';
import { startTestHosts, type TestHosts } from '../support/test-hosts';
import { brz, eventCounts, expectBrzCounts, runCountedScenario, runScenario, type OpResult, type ScenarioEnv } from '../support/brz-scenario';

let hosts: TestHosts;
let scratch: string;
let s: ScenarioEnv;
let direct: OpResult[];
const events: EngineEvent[] = [];
const bus = new EventBus();
const ids = new IdSource();
const owners: RunningOwner[] = [];
bus.on((e) => events.push(e));

beforeAll(async () => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-proxy-'));
  s = { env: hosts.brzEnv(), work: join(scratch, 'work'), logDir: scratch };
  direct = await runScenario(s, hosts.env.BZR_URL, 'direct');
}, 60_000);

afterAll(async () => {
  for (const owner of owners) await owner.stop();
  hosts?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs the scenario through `proxy` and checks outputs against direct and counts against brz's. */
async function throughProxy(proxy: RunningOwner, base: string, tag: string): Promise<void> {
  const { results: relayed, counts } = await runCountedScenario(s, base, tag, eventCounts(events, proxy.ownerId));
  expect(relayed.map((r) => [r.name, r.code, r.output])).toEqual(direct.map((r) => [r.name, r.code, r.output]));
  expectBrzCounts(counts);
}

test('through a proxy to brz serve over bzr://, every operation works as direct, with brz\'s call counts', async () => {
  const proxy = await startProxy({ upstream: hosts.env.BZR_URL, listen: '127.0.0.1:0' }, bus, ids);
  owners.push(proxy);
  expect(proxy.urls[0]).toMatch(/^bzr:\/\/127\.0\.0\.1:\d+\/$/);
  await throughProxy(proxy, proxy.urls[0], 'tcp');
  // Each client connection had an upstream connection of its own, closed with it.
  const opened = events.filter((e): e is Extract<EngineEvent, { type: 'medium-opened' }> => e.type === 'medium-opened');
  const clients = opened.filter((e) => e.role === 'server');
  const upstreams = opened.filter((e) => e.role === 'client');
  expect(upstreams.length).toBe(clients.length);
  expect(upstreams.every((e) => e.kind === 'tcp-client' && e.peer === `127.0.0.1:${hosts.env.BZR_TCP_PORT}`)).toBe(true);
  const closedIds = new Set(events.flatMap((e) => (e.type === 'medium-closed' ? [e.mediumId] : [])));
  expect(upstreams.every((e) => closedIds.has(e.mediumId))).toBe(true);
});

test('through a proxy to sshd running bzr serve --inet over bzr+ssh://, every operation works as direct', async () => {
  const { SSH_USER, SSH_PORT, SSH_KEY, SSH_KNOWN_HOSTS, REPOS } = hosts.env;
  const proxy = await startProxy(
    { upstream: `bzr+ssh://${SSH_USER}@127.0.0.1:${SSH_PORT}/`, listen: '127.0.0.1:0', identity: SSH_KEY, knownHosts: SSH_KNOWN_HOSTS },
    bus,
    ids,
  );
  owners.push(proxy);
  // The remote serves `/`, so paths through the proxy are the server's real paths.
  await throughProxy(proxy, `${proxy.urls[0].replace(/\/$/, '')}${REPOS}/`, 'ssh');
});

test('the hpss proxy command prints its URL, refuses VFS when asked, and stops on SIGINT', async () => {
  const cli = startHpss(['proxy', hosts.env.BZR_URL, '--listen', '127.0.0.1:0', '--refuse-vfs']);
  const [, url] = await cli.waitFor(/^listening on (bzr:\/\/127\.0\.0\.1:\d+\/)$/m);
  expect((await brz(s, 'log', ['log', '--line', `${url}trunk`])).output).toMatch(/Initial import/);
  const refused = await brz(s, 'init', ['init', `${url}refused-by-cli`]);
  expect(refused.output).toContain('Encountered: mkdir');
  expect(await cli.stop('SIGINT')).toBe(0);
  expect(cli.stderr()).toMatch(/refuse-vfs: refused a VFS request \(mkdir, semivfs\)/);
});

test('a bzr+ssh upstream whose host key is not in known_hosts is refused: brz is told why, and an ssh error is recorded', async () => {
  const { SSH_USER, SSH_PORT, SSH_KEY, REPOS } = hosts.env;
  const emptyKnownHosts = join(scratch, 'empty_known_hosts');
  writeFileSync(emptyKnownHosts, '');
  const proxy = await startProxy(
    { upstream: `bzr+ssh://${SSH_USER}@127.0.0.1:${SSH_PORT}/`, listen: '127.0.0.1:0', identity: SSH_KEY, knownHosts: emptyKnownHosts },
    bus,
    ids,
  );
  owners.push(proxy);
  const mark = events.length;
  const r = await brz(s, 'log', ['log', '--line', `${proxy.urls[0].replace(/\/$/, '')}${REPOS}/trunk`]);
  expect(r.code).not.toBe(0);
  // brz shows why, from the proxy's error answer.
  expect(r.output).toMatch(/Server sent an unexpected error: .*hpss: cannot reach the upstream: .*known_hosts/);
  const sshError = events.slice(mark).find((e) => e.type === 'error' && e.kind === 'ssh');
  expect(sshError?.type === 'error' && sshError.message).toMatch(/known_hosts/);
});
