/**
 * `hpss serve --ssh-listen` (the embedded SSH server) against a real brz client over
 * bzr+ssh: every operation gives the same result as against a real sshd running
 * Breezy, and the calls traced per session equal brz's own `-Dhpss` count.
 *
 * brz is pointed at our server as users would do it (README): a BRZ_SSH wrapper
 * running `ssh -F CONFIG`, whose config names the key and a known_hosts file with our
 * host key (read from the state folder where `hpss serve` made and kept it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { brz, expectBrzCounts, runCountedScenario, runScenario, type ScenarioEnv } from '../support/brz-scenario';
import { sshWrapper } from '../support/brz-ssh';
import { startHpss, type HpssProcess } from '../support/hpss-cli';
import { startTestHosts, type TestHosts } from '../support/test-hosts';
import { settle } from '../support/settle';
import { closedMediumCounts, closedMediums } from '../support/trace-counts';

/** Thirteen brz runs through the inspector: about 10 s on an idle machine, much more under load. */
const SCENARIO_TIMEOUT_MS = 120_000;

let hosts: TestHosts;
let scratch: string;
let server: HpssProcess;
let sshUrl: string;
let trace: string;
let served: ScenarioEnv;

beforeAll(async () => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-ssh-serve-'));
  const authorizedKeys = join(scratch, 'authorized_keys');
  writeFileSync(authorizedKeys, execFileSync('ssh-keygen', ['-y', '-f', hosts.env.SSH_KEY]));
  trace = join(scratch, 'trace.jsonl');
  const state = join(scratch, 'state');
  server = startHpss(
    ['serve', hosts.env.REPOS, '--listen', '127.0.0.1:0', '--allow-writes', '--ssh-listen', '127.0.0.1:0', '--authorized-keys', authorizedKeys, '--trace', trace],
    { ...process.env, XDG_STATE_HOME: state },
  );
  const [, url, port] = await server.waitFor(/^listening on (bzr\+ssh:\/\/127\.0\.0\.1:(\d+)\/)$/m);
  await server.waitFor(/^listening on bzr:\/\//m);
  sshUrl = url.replace('bzr+ssh://', `bzr+ssh://${hosts.env.SSH_USER}@`);
  const hostKeyPub = readFileSync(join(state, 'hpss-inspector', 'host_key.pub'), 'utf8').trim().split(' ');
  const knownHosts = join(scratch, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKeyPub[0]} ${hostKeyPub[1]}\n`);
  served = { env: hosts.brzEnv({ BRZ_SSH: sshWrapper(scratch, hosts.env.SSH_KEY, knownHosts) }), work: join(scratch, 'work'), logDir: scratch };
});

afterAll(async () => {
  await server?.stop();
  hosts?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('prints the host key it made and kept, with its fingerprint and its known_hosts line', () => {
  expect(server.stderr()).toMatch(/ssh host key ssh-ed25519 SHA256:[A-Za-z0-9+/]{43} \(new, kept in .*\/state\/hpss-inspector\/host_key\)/);
  const line = /^hpss serve: known_hosts line: (.*)$/m.exec(server.stderr())?.[1];
  expect(`${line}\n`).toBe(readFileSync(join(scratch, 'known_hosts'), 'utf8'));
});

test("brz info, log, cat, branch, push twice, checkout + commit and pull over bzr+ssh work as against sshd, with brz's own call counts", async () => {
  // The direct run goes to the real sshd and leaves no traces, so it may run alongside.
  const directRun = runScenario({ env: hosts.brzEnv(), work: join(scratch, 'work'), logDir: scratch }, hosts.env.BZR_SSH_URL, 'direct');
  const closed = () => closedMediums([trace], 'pipe-server');
  const { results, counts } = await runCountedScenario(served, sshUrl, 'served', closedMediumCounts(closed));
  const direct = await directRun;
  expect(results.map((r) => [r.name, r.code, r.output])).toEqual(direct.map((r) => [r.name, r.code, r.output]));
  expect(results.every((r) => r.code === 0)).toBe(true);
  expectBrzCounts(counts);
  expect(closed().every((m) => /^ssh:\w+@127\.0\.0\.1:\d+$/.test(m.peer ?? ''))).toBe(true);
}, SCENARIO_TIMEOUT_MS);

test('hpss trace summary --json reports the same totals as the trace events', async () => {
  const before = closedMediums([trace], 'pipe-server').length;
  const log = await brz(served, 'log', ['log', '--line', `${sshUrl}trunk`]);
  expect(log.code).toBe(0);
  await settle(() => closedMediums([trace], 'pipe-server').length, before + 1);
  const summary = JSON.parse(execFileSync(process.execPath, [join(__dirname, '../../bin/hpss.js'), 'trace', 'summary', trace, '--json'], { encoding: 'utf8' })) as {
    mediums: { mediumId: string; kind: string; role: string; calls: number }[];
    verbs: Record<string, number>;
  };
  const started = readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes('"type":"call-started"'));
  // The calls clients made, once each; a relayed call counts again on the upstream it went over.
  expect(summary.mediums.filter((m) => m.role === 'server').reduce((n, m) => n + m.calls, 0)).toBe(started.length);
  for (const upstream of summary.mediums.filter((m) => m.role === 'client')) {
    expect(upstream.calls).toBe(started.filter((l) => l.includes(`"upstreamMediumId":"${upstream.mediumId}"`)).length);
  }
  expect(Object.values(summary.verbs).reduce((a, b) => a + b, 0)).toBe(started.length);
});
