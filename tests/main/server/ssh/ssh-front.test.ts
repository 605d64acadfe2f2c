/**
 * `startSshFront`: the embedded SSH server serving each session through a
 * PipeServerMedium and the real serve loop to a real `brz serve --inet`, traced.
 * A real brz client's own `-Dhpss` count must equal the calls the trace records.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EventBus, IdSource } from '../../../../src/main/bus/event-bus';
import { BreezyBackend } from '../../../../src/main/server/backends/breezy';
import { PolicyStore } from '../../../../src/main/server/policies/settings';
import { describeHostKey, startSshFront, type SshFront } from '../../../../src/main/server/ssh';
import { knownHostsLine } from '../../../../src/main/server/ssh/host-key';
import { readTrace } from '../../../../src/main/trace/read-trace';
import { TraceRecorder } from '../../../../src/main/trace/recorder';
import { summarizeTrace } from '../../../../src/main/trace/summary';
import { brzEnv, hpssCallLines, makeClientKey, seedBranch, sshWrapper } from '../../../support/brz-ssh';
import { requireTool } from '../../../support/test-hosts';

const run = promisify(execFile);
let dir: string;
let front: SshFront;
let recorder: TraceRecorder;
let wrapper: string;
const policy = new PolicyStore();

beforeAll(async () => {
  requireTool('brz', 'brz');
  dir = mkdtempSync(join(tmpdir(), 'hpss-sshfront-'));
  const trunk = seedBranch(join(dir, 'served'), brzEnv(dir), 'Served through a pipe medium');
  // More than an SSH channel window (2 MiB), so responses meet backpressure on the way out.
  writeFileSync(join(trunk, 'big.bin'), randomBytes(3 * 1024 * 1024));
  execFileSync('brz', ['add', '-q', 'big.bin'], { cwd: trunk, env: brzEnv(dir) });
  execFileSync('brz', ['commit', '-q', '-m', 'A big file'], { cwd: trunk, env: brzEnv(dir) });
  const key = makeClientKey(dir, 'client');
  execFileSync('cp', [`${key}.pub`, join(dir, 'authorized_keys')]);
  const hostKey = makeClientKey(dir, 'host_key');
  const bus = new EventBus();
  recorder = TraceRecorder.open(join(dir, 'trace.jsonl'), bus);
  front = await startSshFront(
    { listen: '127.0.0.1:0', authorizedKeys: join(dir, 'authorized_keys'), hostKey },
    { ownerId: 's1', backend: new BreezyBackend({ dir: join(dir, 'served'), allowWrites: false }), policy, bus, ids: new IdSource() },
  );
  writeFileSync(join(dir, 'known_hosts'), knownHostsLine('127.0.0.1', front.listener.port, front.hostKey.key) + '\n');
  wrapper = sshWrapper(dir, key, join(dir, 'known_hosts'));
});
afterAll(async () => {
  await front?.listener.close();
  recorder?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('describes the host key it serves with', () => {
  expect(describeHostKey(front.hostKey)).toMatch(/^ssh host key ssh-ed25519 SHA256:\S+ \(.*host_key\)$/);
  expect(front.warnings).toEqual([]);
});

test('brz log over bzr+ssh is served from the server directory, and the trace counts what brz counts', async () => {
  const env = brzEnv(dir, { BRZ_SSH: wrapper });
  const { stdout } = await run('brz', ['-Dhpss', 'log', '--line', `bzr+ssh://tester@127.0.0.1:${front.listener.port}/trunk`], { env, timeout: 20_000 });
  expect(stdout).toMatch(/A big file\n.*Served through a pipe medium/);

  const brzCounts = hpssCallLines(join(dir, 'brz.log'));
  expect(brzCounts).toHaveLength(1);
  const mediums = summarizeTrace(readTrace(join(dir, 'trace.jsonl')).sessions).mediums;
  const served = mediums.filter((m) => m.kind === 'pipe-server');
  expect(served).toHaveLength(1);
  expect(served[0].peer).toMatch(/^ssh:tester@127\.0\.0\.1:\d+$/);
  expect({ calls: served[0].calls, vfs: served[0].vfsCalls }).toEqual({ calls: brzCounts[0].calls, vfs: brzCounts[0].vfs });
  expect(served[0].bytesRead).toBeGreaterThan(0);
  expect(served[0].bytesWritten).toBeGreaterThan(0);
});

test('without --allow-writes on the server, a push over bzr+ssh is refused though brz asks for writes', async () => {
  const env = brzEnv(dir, { BRZ_SSH: wrapper });
  const local = join(dir, 'local');
  execFileSync('brz', ['branch', '-q', join(dir, 'served', 'trunk'), local], { env });
  const result = await run('brz', ['push', '-q', '-d', local, `bzr+ssh://tester@127.0.0.1:${front.listener.port}/pushed`], { env, timeout: 20_000 }).then(
    () => ({ code: 0, stderr: '' }),
    (err: { code: number; stderr: string }) => err,
  );
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(/Transport operation not possible: readonly transport/);
});

test('a session that ends when the client closes its input exits with status 0, as bzr serve --inet does', async () => {
  const status = await new Promise<number | null>((done) => {
    const ssh = execFile(wrapper, ['-p', String(front.listener.port), 'tester@127.0.0.1', 'bzr serve --inet --directory=/'], { timeout: 15_000 });
    ssh.on('exit', done);
    ssh.stdin?.end();
  });
  expect(status).toBe(0);
});

test('brz branch of a branch bigger than the SSH window arrives whole', async () => {
  const env = brzEnv(dir, { BRZ_SSH: wrapper });
  const copy = join(dir, 'big-copy');
  await run('brz', ['branch', '-q', `bzr+ssh://tester@127.0.0.1:${front.listener.port}/trunk`, copy], { env, timeout: 30_000 });
  expect(readFileSync(join(copy, 'big.bin')).equals(readFileSync(join(dir, 'served', 'trunk', 'big.bin')))).toBe(true);
});

test("the server's policies apply to SSH sessions: VFS refusal names the verb, an idle session times out", async () => {
  const env = brzEnv(dir, { BRZ_SSH: wrapper });
  policy.set({ refuseVfs: true });
  try {
    const init = await run('brz', ['init', `bzr+ssh://tester@127.0.0.1:${front.listener.port}/refused`], { env, timeout: 20_000 }).then(
      () => ({ stderr: '' }),
      (err: { stderr: string }) => err,
    );
    expect(init.stderr).toContain('VFS requests over the smart server are not allowed. Encountered: mkdir');
  } finally {
    policy.set({ refuseVfs: false });
  }
  policy.set({ clientTimeoutSec: 0.5 });
  try {
    // A session that never sends a request: stdin stays open until the server gives up.
    const status = await new Promise<number | null>((done) => {
      const ssh = execFile(wrapper, ['-p', String(front.listener.port), 'tester@127.0.0.1', 'bzr serve --inet --directory=/'], { timeout: 15_000 });
      ssh.on('exit', done);
    });
    expect(status).toBe(0);
  } finally {
    policy.set({ clientTimeoutSec: 300 });
  }
  const timeouts = readTrace(join(dir, 'trace.jsonl')).sessions[0].events.filter((e) => e.type === 'timeout');
  expect(timeouts.map((e) => e.type === 'timeout' && e.message)).toEqual(['disconnecting client after 0.5 seconds']);
});
