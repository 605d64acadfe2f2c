/**
 * The CLI as polished as the UI (issue 11): `--help` on every subcommand; `hpss proxy`
 * prints one line per call a real brz makes and a summary at exit (`--quiet`: the summary
 * only); `serve` says it is read-only; `decode` refuses a file that is not protocol bytes;
 * `trace summary` names error answers, failures and duration percentiles per verb.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { COMMANDS } from '../../src/main/cli/commands';
import { HPSS_BIN, startHpss } from '../support/hpss-cli';
import { CAPTURES_DIR, startTestHosts, type TestHosts } from '../support/test-hosts';

let hosts: TestHosts;
let scratch: string;

beforeAll(() => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-cli-polish-'));
});
afterAll(() => {
  hosts?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const hpss = (...args: string[]) => spawnSync(process.execPath, [HPSS_BIN, ...args], { encoding: 'utf8', timeout: 20_000 });

function brz(args: string[]): Promise<number> {
  return new Promise((resolve) => execFile('brz', args, { env: hosts.brzEnv(), timeout: 30_000 }, (err) => resolve(err ? 1 : 0)));
}

test('--help on every subcommand prints its usage and exits 0', () => {
  expect(COMMANDS.length).toBeGreaterThanOrEqual(7);
  for (const c of COMMANDS) {
    const r = hpss(c.name, '--help');
    expect({ name: c.name, status: r.status, stderr: r.stderr }).toEqual({ name: c.name, status: 0, stderr: '' });
    expect(r.stdout).toMatch(new RegExp(`^usage: hpss ${c.name}`));
  }
});

test('hpss proxy prints a line per call brz makes, failures marked, and a summary at exit', async () => {
  const trace = join(scratch, 'proxy.jsonl');
  const proxy = startHpss(['proxy', hosts.env.BZR_URL, '--listen', '127.0.0.1:0', '--trace', trace]);
  try {
    const [, url] = await proxy.waitFor(/^listening on (bzr:\/\/127\.0\.0\.1:\d+\/)$/m);
    expect(await brz(['log', '--line', `${url}trunk`])).toBe(0);
    expect(await brz(['log', `${url}no-such-branch`])).not.toBe(0);
    await proxy.waitFor(/^m\d+ Branch\.get_stacked_on_url → E NotStacked {2}[\d.]+ m?s {2}\d+ B\/\d+ B$/m);
    await proxy.waitFor(/^m\d+ BzrDir\.open_2\.1 → S no {2}[\d.]+ m?s {2}\d+ B\/\d+ B {2}FAILED: Not a branch: no bzrdir at this path$/m);
    // Each upstream connection's set-up is its own line, not part of its first call.
    await proxy.waitFor(/^m\d+ TCP set-up to 127\.0\.0\.1:\d+ in [\d.]+ m?s: (resolve [\d.]+ m?s · )?TCP connect [\d.]+ m?s$/m);
  } finally {
    expect(await proxy.stop('SIGINT')).toBe(0);
  }
  const out = proxy.stdout();
  expect(out).toMatch(/^hpss proxy: \d+ calls on 2 connections, [1-9]\d* failed$/m);
  expect(out).toMatch(/^hpss proxy: {3}failed: BzrDir\.open_2\.1 → S no ×\d+$/m);
  expect(out).toMatch(/^hpss proxy: {3}Repository\.iter_revisions: 1 calls, 0 error answers, 0 failures, p50 [\d.]+ m?s, p95 [\d.]+ m?s$/m);

  const summary = hpss('trace', 'summary', trace);
  expect(summary.status).toBe(0);
  expect(summary.stdout).toMatch(/^finished calls per verb:$/m);
  expect(summary.stdout).toMatch(/^ {2}Branch\.get_stacked_on_url +1 +1 +0 +[\d.]+ +[\d.]+$/m);
  expect(summary.stdout).toMatch(/^ {2}BzrDir\.open_2\.1 → S no ×\d+: Not a branch: no bzrdir at this path$/m);
});

test('--quiet: no call lines, the summary only; serve says it is read-only', async () => {
  const server = startHpss(['serve', hosts.env.REPOS, '--listen', '127.0.0.1:0', '--quiet']);
  try {
    await server.waitFor(/^read-only: clients cannot change .* \(start with --allow-writes to let them\)$/m);
    const [, url] = await server.waitFor(/^listening on (bzr:\/\/127\.0\.0\.1:\d+\/)$/m);
    expect(await brz(['log', '--line', `${url}trunk`])).toBe(0);
  } finally {
    expect(await server.stop('SIGINT')).toBe(0);
  }
  expect(server.stdout()).not.toMatch(/→/);
  expect(server.stdout()).toMatch(/^hpss serve: \d+ calls on 1 connections, 0 failed$/m);
});

test('decode refuses what is not protocol bytes and says what to run instead', () => {
  const jsonl = join(CAPTURES_DIR, 'cli-log-notabranch.conn1.jsonl');
  const r = hpss('decode', jsonl);
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`hpss decode: ${jsonl} is JSON, not raw protocol bytes: for a trace run \`hpss trace summary ${jsonl}\`; a trace or a capture's .jsonl opens in the UI (Open trace…)\n`);
  // A v2 response stream given as the requests (v3 streams start alike both ways).
  const swapped = hpss('decode', join(CAPTURES_DIR, 'lib-v2-vfs.conn1.s2c.bin'));
  expect(swapped.stderr).toMatch(/starts like a response stream: pass it second/);
  const binary = hpss('decode', process.execPath);
  expect(binary.status).toBe(1);
  expect(binary.stderr).toMatch(/does not start like a request \(no protocol marker and no v1 line: "\.ELF/);
  // Real bytes still decode.
  expect(hpss('decode', join(CAPTURES_DIR, 'cli-log-notabranch.conn1.c2s.bin'), join(CAPTURES_DIR, 'cli-log-notabranch.conn1.s2c.bin')).status).toBe(0);
});
