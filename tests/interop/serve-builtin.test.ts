/**
 * `hpss serve DIR --backend builtin --allow-writes` (the built CLI, with no brz on its PATH)
 * against a real brz client, over bzr:// and over the embedded SSH server: info, log, cat,
 * branch, push (new, then again), checkout + commit and pull give the same results as
 * against Breezy's own server, and the calls traced per connection equal brz's `-Dhpss`.
 * Then `brz check` passes on what was written, read through Breezy itself.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { brz, expectBrzCounts, runCountedScenario, runScenario, type ScenarioEnv } from '../support/brz-scenario';
import { sshWrapper } from '../support/brz-ssh';
import { startHpss, type HpssProcess } from '../support/hpss-cli';
import { startTestHosts, type TestHosts } from '../support/test-hosts';
import { closedMediumCounts, closedMediums } from '../support/trace-counts';

/** Thirteen brz runs each way: about 10 s on an idle machine, much more under load. */
const SCENARIO_TIMEOUT_MS = 180_000;

let hosts: TestHosts;
let scratch: string;
let served: string;
let server: HpssProcess;
let bzrUrl: string;
let sshUrl: string;
let trace: string;
let viaSsh: ScenarioEnv;

beforeAll(async () => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-serve-builtin-'));
  served = join(scratch, 'repos');
  cpSync(hosts.env.REPOS, served, { recursive: true });
  const authorizedKeys = join(scratch, 'authorized_keys');
  writeFileSync(authorizedKeys, execFileSync('ssh-keygen', ['-y', '-f', hosts.env.SSH_KEY]));
  trace = join(scratch, 'trace.jsonl');
  const state = join(scratch, 'state');
  const emptyPath = join(scratch, 'no-brz-here');
  mkdirSync(emptyPath);
  server = startHpss(
    ['serve', served, '--backend', 'builtin', '--listen', '127.0.0.1:0', '--allow-writes', '--ssh-listen', '127.0.0.1:0', '--authorized-keys', authorizedKeys, '--trace', trace],
    { ...process.env, PATH: emptyPath, XDG_STATE_HOME: state },
  );
  const [, ssh, port] = await server.waitFor(/^listening on (bzr\+ssh:\/\/127\.0\.0\.1:(\d+)\/)$/m);
  [, bzrUrl] = await server.waitFor(/^listening on (bzr:\/\/127\.0\.0\.1:\d+\/)$/m);
  sshUrl = ssh.replace('bzr+ssh://', `bzr+ssh://${hosts.env.SSH_USER}@`);
  const hostKeyPub = readFileSync(join(state, 'hpss-inspector', 'host_key.pub'), 'utf8').trim().split(' ');
  const knownHosts = join(scratch, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKeyPub[0]} ${hostKeyPub[1]}\n`);
  viaSsh = { env: hosts.brzEnv({ BRZ_SSH: sshWrapper(scratch, hosts.env.SSH_KEY, knownHosts) }), work: join(scratch, 'served-2'), logDir: scratch };
});

afterAll(async () => {
  await server?.stop();
  hosts?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test("over bzr://: the operations give brz serve's results, with brz's own call counts", async () => {
  const env = { env: hosts.brzEnv(), work: join(scratch, 'served-1'), logDir: scratch };
  const direct = await runScenario({ ...env, work: join(scratch, 'direct-1') }, hosts.env.BZR_URL, 'tcp');
  const { results, counts } = await runCountedScenario(env, bzrUrl, 'tcp', closedMediumCounts(() => closedMediums([trace], 'tcp-server')));
  expect(results.map((r) => [r.name, r.code, r.output])).toEqual(direct.map((r) => [r.name, r.code, r.output]));
  expect(results.every((r) => r.code === 0)).toBe(true);
  expectBrzCounts(counts);
}, SCENARIO_TIMEOUT_MS);

test("over bzr+ssh:// (the embedded SSH server): the same, with brz's own call counts", async () => {
  const direct = await runScenario({ env: hosts.brzEnv(), work: join(scratch, 'direct-2'), logDir: scratch }, hosts.env.BZR_SSH_URL, 'ssh');
  const { results, counts } = await runCountedScenario(viaSsh, sshUrl, 'ssh', closedMediumCounts(() => closedMediums([trace], 'pipe-server')));
  expect(results.map((r) => [r.name, r.code, r.output])).toEqual(direct.map((r) => [r.name, r.code, r.output]));
  expect(results.every((r) => r.code === 0)).toBe(true);
  expectBrzCounts(counts);
}, SCENARIO_TIMEOUT_MS);

test('brz check passes on every branch the operations wrote', async () => {
  for (const tag of ['tcp', 'ssh']) {
    const checked = await brz({ env: hosts.brzEnv(), work: scratch, logDir: scratch }, 'check', ['check', join(served, `pushed-${tag}`)]);
    expect({ tag, code: checked.code }).toEqual({ tag, code: 0 });
  }
});

test("Breezy's own VFS get of a 12 MiB file comes back whole over bzr:// and bzr+ssh:// (read buffers are reused)", async () => {
  const big = randomBytes(12 * 1024 * 1024);
  writeFileSync(join(served, 'big.bin'), big);
  const digest = createHash('sha256').update(big).digest('hex');
  const fetch = `
import hashlib, sys, breezy
with breezy.initialize():
    from breezy.transport import get_transport
    data = get_transport(sys.argv[1]).get_bytes('big.bin')
    print(len(data), hashlib.sha256(data).hexdigest())
`;
  for (const [url, env] of [[bzrUrl, hosts.brzEnv()], [sshUrl, viaSsh.env]] as const) {
    const out = await new Promise<string>((resolve, reject) => {
      execFile('/usr/bin/python3', ['-c', fetch, url], { env, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${url}: ${stderr}`)) : resolve(stdout)));
    });
    expect({ url, out }).toEqual({ url, out: `${big.length} ${digest}\n` });
  }
}, 180_000);
