/**
 * `hpss serve --backend breezy` against a real brz client: every operation gives the same
 * result as against Breezy's own server, and the calls our events record per connection
 * equal what brz reports with -Dhpss. Then VFS refusal, and the CLI itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/shared/events';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { startServer, type RunningOwner } from '../../src/main/server';
import { startHpss } from '../support/hpss-cli';
import { startTestHosts, type TestHosts } from '../support/test-hosts';
import { brz, eventCounts, expectBrzCounts, runCountedScenario, runScenario, type ScenarioEnv } from '../support/brz-scenario';
import { settle } from '../support/settle';

let hosts: TestHosts;
let server: RunningOwner;
let scratch: string;
let s: ScenarioEnv;
const events: EngineEvent[] = [];

beforeAll(async () => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-serve-'));
  s = { env: hosts.brzEnv(), work: join(scratch, 'work'), logDir: scratch };
  const bus = new EventBus();
  bus.on((e) => events.push(e));
  server = await startServer({ backend: 'breezy', dir: hosts.env.REPOS, listen: '127.0.0.1:0', allowWrites: true }, bus, new IdSource());
});

afterAll(async () => {
  await server?.stop();
  hosts?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('brz info, log, cat, branch, push twice, checkout + commit and pull work as direct, with brz\'s own call counts', async () => {
  const direct = await runScenario(s, hosts.env.BZR_URL, 'direct');
  const { results: served, counts } = await runCountedScenario(s, server.urls[0], 'served', eventCounts(events, server.ownerId));
  expect(served.map((r) => [r.name, r.code, r.output])).toEqual(direct.map((r) => [r.name, r.code, r.output]));
  expect(served.every((r) => r.code === 0)).toBe(true);
  expectBrzCounts(counts);
});

test('with VFS refusal on, an operation that needs VFS fails naming the verb, and the server keeps serving', async () => {
  server.setPolicy({ refuseVfs: true });
  try {
    const refused = await brz(s, 'init', ['init', `${server.urls[0]}refused`]);
    expect(refused.code).toBe(3);
    expect(refused.output).toContain('VFS requests over the smart server are not allowed. Encountered: mkdir');
    const action = events.find((e) => e.type === 'policy-action' && e.policy === 'refuse-vfs');
    expect(action).toMatchObject({ verb: 'mkdir', ownerId: server.ownerId });
    const log = await brz(s, 'log', ['log', '--line', `${server.urls[0]}trunk`]);
    expect(log.code).toBe(0);
    expect(log.output).toMatch(/Initial import/);
  } finally {
    server.setPolicy({ refuseVfs: false });
  }
});

test('an idle client is disconnected after the client timeout, and the event says so', async () => {
  server.setPolicy({ clientTimeoutSec: 1 });
  try {
    const { connect } = await import('node:net');
    const port = Number(/:(\d+)\/$/.exec(server.urls[0])?.[1]);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((done) => socket.on('close', () => done()));
    await settle(() => events.filter((e) => e.type === 'timeout').length, 1);
    expect(events.find((e) => e.type === 'timeout')).toMatchObject({ message: 'disconnecting client after 1.0 seconds', seconds: 1 });
  } finally {
    server.setPolicy({ clientTimeoutSec: 300 });
  }
});

test('a client that half-closes right after its request still gets brz serve\'s answer', async () => {
  const { connect } = await import('node:net');
  const port = Number(new URL(server.urls[0]).port);
  const reply = await new Promise<string>((done) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.on('close', () => done(got));
    socket.end('bzr request 2\nhello\n');
  });
  expect(reply).toBe('bzr response 2\nsuccess\nok\x012\n');
});

test('the hpss serve command prints its URL, serves, and stops on SIGTERM', async () => {
  const cli = startHpss(['serve', hosts.env.REPOS, '--listen', '127.0.0.1:0']);
  const [, url] = await cli.waitFor(/^listening on (bzr:\/\/127\.0\.0\.1:\d+\/)$/m);
  const log = await brz(s, 'log', ['log', '--line', `${url}trunk`]);
  expect(log.output).toMatch(/Rename README/);
  expect(await cli.stop('SIGTERM')).toBe(0);
});
