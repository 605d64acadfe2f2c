/**
 * `--trace FILE` on `hpss serve` and `hpss proxy` with a real brz client: the trace
 * holds every call brz counts itself (-Dhpss), `hpss trace summary` reports them, and
 * a server killed with SIGKILL leaves a trace complete up to its last event.
 */
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readTrace } from '../../src/main/trace/read-trace';
import { brz, type ScenarioEnv } from '../support/brz-scenario';
import { HPSS_BIN, startHpss } from '../support/hpss-cli';
import { startTestHosts, type TestHosts } from '../support/test-hosts';
import { settle } from '../support/settle';
import { asBrzCount, closedMediums } from '../support/trace-counts';

let hosts: TestHosts;
let scratch: string;
let s: ScenarioEnv;

beforeAll(() => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-trace-interop-'));
  s = { env: hosts.brzEnv(), work: scratch, logDir: scratch };
});
afterAll(() => {
  hosts?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const summary = (file: string, ...extra: string[]): string => execFileSync(process.execPath, [HPSS_BIN, 'trace', 'summary', file, ...extra], { encoding: 'utf8' });

test('hpss serve --trace: brz branch is traced with its own call count, and SIGKILL loses nothing', async () => {
  const trace = join(scratch, 'serve.jsonl');
  const server = startHpss(['serve', hosts.env.REPOS, '--listen', '127.0.0.1:0', '--trace', trace]);
  try {
    const [, url, port] = await server.waitFor(/^listening on (bzr:\/\/127\.0\.0\.1:(\d+)\/)$/m);
    const branch = await brz(s, 'branch', ['branch', `${url}trunk`, join(scratch, 'copy')]);
    expect(branch.code).toBe(0);
    expect(branch.hpss).toHaveLength(1);
    await settle(() => closedMediums([trace], 'tcp-server').length, 1);
    // A second client that stays connected: its medium is open when the server dies.
    const idle = connect(Number(port), '127.0.0.1');
    idle.on('error', () => undefined);
    const serverMediumsOpened = (): number => readTrace(trace).sessions[0].events.filter((e) => e.type === 'medium-opened' && e.kind === 'tcp-server').length;
    await settle(serverMediumsOpened, 2);
    expect(await server.stop('SIGKILL')).toBeNull();
    idle.destroy();

    const { sessions, tornLines } = readTrace(trace);
    expect(tornLines).toEqual([]);
    const events = sessions[0].events;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'medium-opened' && e.kind === 'tcp-server')).toHaveLength(2);
    expect(closedMediums([trace], 'tcp-server').map(asBrzCount)).toEqual(branch.hpss);

    const json = JSON.parse(summary(trace, '--json')) as { mediums: { kind: string; calls: number; vfsCalls: number; closed: string | null }[] };
    // The upstream side (a pipes-client medium per connection) may be traced too; compare the client's side.
    expect(json.mediums.filter((m) => m.kind === 'tcp-server').map((m) => [m.kind, `${m.calls} (${m.vfsCalls} vfs)`, m.closed !== null])).toEqual([
      ['tcp-server', branch.hpss[0], true],
      ['tcp-server', '0 (0 vfs)', false],
    ]);
    const text = summary(trace);
    const m1 = /^(m\d+)\s+tcp-server/m.exec(text)?.[1];
    const [calls, vfs] = branch.hpss[0].match(/\d+/g) ?? [];
    expect(text).toMatch(new RegExp(`^${m1}\\s+tcp-server\\s+127\\.0\\.0\\.1:\\d+\\s+${calls}\\s+${vfs}\\s+\\d+\\s+\\d+\\s+0\\s+-\\s+client closed`, 'm'));
    expect(text).toMatch(new RegExp(`^${m1} calls per verb:$`, 'm'));
    expect(text).toMatch(/^ {2}BzrDir\.open_2\.1\s+1$/m);
  } finally {
    await server.stop('SIGKILL');
  }
});

test('hpss proxy --trace records each client connection with brz\'s call count', async () => {
  const trace = join(scratch, 'proxy.jsonl');
  const proxy = startHpss(['proxy', hosts.env.BZR_URL, '--listen', '127.0.0.1:0', '--trace', trace]);
  try {
    const [, url] = await proxy.waitFor(/^listening on (bzr:\/\/127\.0\.0\.1:\d+\/)$/m);
    const log = await brz(s, 'log', ['log', '--line', `${url}trunk`]);
    expect(log.output).toMatch(/Initial import/);
    await settle(() => closedMediums([trace], 'tcp-server').length, 1);
    expect(await proxy.stop('SIGTERM')).toBe(0);
    expect(closedMediums([trace], 'tcp-server').map(asBrzCount)).toEqual(log.hpss);
    const events = readTrace(trace).sessions[0].events;
    expect(events.filter((e) => e.type === 'listener').map((e) => e.type === 'listener' && e.state)).toEqual(['listening', 'stopped']);
  } finally {
    await proxy.stop('SIGKILL');
  }
});
