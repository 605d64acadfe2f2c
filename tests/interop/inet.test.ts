/**
 * `hpss serve --inet` as a stand-in for `bzr` behind a real sshd: the client sets
 * BZR_REMOTE_PATH to it, so each bzr+ssh session runs through the inspector on the
 * server side, and each leaves a trace file of its own in the trace folder.
 *
 * The remote path is a two-line wrapper, as users would install it (README), that
 * also points HPSS_TRACE_DIR into this test's folder: the test sshd passes only
 * BRZ_* and BZR_* variables through.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { brz, expectBrzCounts, runCountedScenario, runScenario } from '../support/brz-scenario';
import { HPSS_BIN } from '../support/hpss-cli';
import { startTestHosts, type TestHosts } from '../support/test-hosts';
import { closedMediumCounts, closedMediums } from '../support/trace-counts';
import { readTrace } from '../../src/main/trace/read-trace';

/** Thirteen brz runs through the inspector: about 10 s on an idle machine, much more under load. */
const SCENARIO_TIMEOUT_MS = 120_000;

let hosts: TestHosts;
let scratch: string;
let traces: string;
let remotePath: string;

const traceFiles = (): string[] =>
  readdirSync(traces)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => join(traces, f));
const closed = () => closedMediums(traceFiles(), 'pipe-server');

beforeAll(() => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-remote-path-'));
  traces = join(scratch, 'traces');
  remotePath = join(scratch, 'hpss');
  writeFileSync(remotePath, `#!/bin/sh\nHPSS_TRACE_DIR=${traces} exec ${process.execPath} ${HPSS_BIN} "$@"\n`);
  chmodSync(remotePath, 0o755);
});

afterAll(() => {
  hosts?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test("with BZR_REMOTE_PATH=hpss, brz info, log, cat, branch, push, checkout + commit and pull work as with bzr, one trace per session with brz's call counts", async () => {
  const work = join(scratch, 'work');
  // The direct run goes to a real bzr and leaves no traces, so it may run alongside.
  const directRun = runScenario({ env: hosts.brzEnv(), work, logDir: scratch }, hosts.env.BZR_SSH_URL, 'direct');
  const env = hosts.brzEnv({ BZR_REMOTE_PATH: remotePath });
  const cursor = closedMediumCounts(closed);
  const { results, counts } = await runCountedScenario({ env, work, logDir: scratch }, hosts.env.BZR_SSH_URL, 'standin', cursor);
  const direct = await directRun;
  expect(results.map((r) => [r.name, r.code, r.output])).toEqual(direct.map((r) => [r.name, r.code, r.output]));
  expectBrzCounts(counts);

  // One file per session, each a single recording of one medium, peer from sshd's SSH_CLIENT.
  const files = traceFiles();
  expect(files).toHaveLength(cursor.seen());
  for (const file of files) {
    const { sessions } = readTrace(file);
    expect(sessions).toHaveLength(1);
    expect(sessions[0].header.meta).toMatchObject({ command: 'serve --inet', directory: '/', allowWrites: true });
    expect(closedMediums([file], 'pipe-server')[0].peer).toMatch(/^ssh:\w+@127\.0\.0\.1:\d+$/);
  }
}, SCENARIO_TIMEOUT_MS);

test('a client timeout given to hpss serve --inet disconnects an idle client, and the session trace shows it', async () => {
  const slow = join(scratch, 'hpss-timeout');
  writeFileSync(slow, `#!/bin/sh\nHPSS_TRACE_DIR=${traces} exec ${process.execPath} ${HPSS_BIN} "$@" --client-timeout=0.5\n`);
  chmodSync(slow, 0o755);
  const before = traceFiles().length;
  // `brz serve --inet` through ssh with no request: stdin stays open, nothing is sent.
  const ssh = spawn(hosts.env.BRZ_SSH, ['-p', String(hosts.env.SSH_PORT), `${hosts.env.SSH_USER}@127.0.0.1`, `${slow} serve --inet --directory=/`], {
    env: hosts.brzEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const code = await new Promise<number | null>((done) => ssh.on('exit', done));
  expect(code).toBe(0);
  const files = traceFiles().slice(before);
  expect(files).toHaveLength(1);
  const events = readTrace(files[0]).sessions[0].events;
  expect(events.find((e) => e.type === 'timeout')).toMatchObject({ message: 'disconnecting client after 0.5 seconds', seconds: 0.5 });
  expect(closedMediums(files, 'pipe-server')[0].timeouts).toBe(1);
  ssh.stdin.end();
  // And the stand-in still serves the next client normally.
  const log = await brz({ env: hosts.brzEnv({ BZR_REMOTE_PATH: remotePath }), work: scratch, logDir: scratch }, 'log', ['log', '--line', `${hosts.env.BZR_SSH_URL}trunk`]);
  expect(log.output).toMatch(/Initial import/);
});
