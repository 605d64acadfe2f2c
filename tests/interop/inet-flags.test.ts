/**
 * `hpss serve` as a stand-in for `bzr serve`, without sshd: `--inet` on a pipe pair
 * (stdout carries protocol bytes only), and Breezy's flags for the TCP server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { brz, type ScenarioEnv } from '../support/brz-scenario';
import { brzEnv, seedBranch } from '../support/brz-ssh';
import { HPSS_BIN, startHpss } from '../support/hpss-cli';
import { requireTool } from '../support/test-hosts';
import { closedMediums } from '../support/trace-counts';

let scratch: string;
let repos: string;
let s: ScenarioEnv;

beforeAll(() => {
  requireTool('brz', 'brz');
  scratch = mkdtempSync(join(tmpdir(), 'hpss-standin-'));
  repos = join(scratch, 'repos');
  s = { env: brzEnv(scratch), work: scratch, logDir: scratch };
  seedBranch(repos, s.env, 'Initial import');
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A protocol-3 `hello` request, built by hand from the wire layout (protocol.py). */
function helloRequest(): Buffer {
  const framed = (bytes: string): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, Buffer.from(bytes)]);
  };
  return Buffer.concat([Buffer.from('bzr message 3 (bzr 1.6)\n'), framed('de'), Buffer.from('s'), framed('l5:helloe'), Buffer.from('e')]);
}

test('hpss serve --inet writes nothing but protocol bytes to stdout, and traces to HPSS_TRACE_DIR', async () => {
  const dir = join(scratch, 'stdio-traces');
  const child = spawn(process.execPath, [HPSS_BIN, 'serve', '--inet', `--directory=${repos}`], {
    env: { ...s.env, HPSS_TRACE_DIR: dir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = Buffer.alloc(0);
  const exit = new Promise<number | null>((done) => child.on('exit', done));
  child.stdin.write(helloRequest());
  await new Promise<void>((answered) =>
    child.stdout.on('data', (d: Buffer) => {
      out = Buffer.concat([out, d]);
      if (out.includes('l2:ok1:2ee')) answered();
    }),
  );
  child.stdin.end();
  expect(await exit).toBe(0);
  expect(out.subarray(0, 24).toString()).toBe('bzr message 3 (bzr 1.6)\n');
  expect(out.toString().endsWith('l2:ok1:2ee')).toBe(true);
  const files = readdirSync(dir);
  expect(files).toHaveLength(1);
  const [medium] = closedMediums([join(dir, files[0])], 'pipe-server');
  expect(medium).toMatchObject({ peer: 'stdin/stdout', calls: 1, verbs: { hello: 1 } });
});

test("hpss serve takes Breezy's --directory, --listen HOST and --port, and refuses what makes no sense", async () => {
  const server = startHpss(['serve', `--directory=${repos}`, '--listen', '127.0.0.1', '--port', '0']);
  try {
    const [, url] = await server.waitFor(/^listening on (bzr:\/\/127\.0\.0\.1:\d+\/)$/m);
    const log = await brz(s, 'log', ['log', '--line', `${url}trunk`]);
    expect(log.output).toMatch(/Initial import/);
  } finally {
    expect(await server.stop()).toBe(0);
  }
  const refused = async (args: string[], message: RegExp, status: number): Promise<void> => {
    const p = startHpss(args);
    expect(await p.exited()).toBe(status);
    expect(p.stderr()).toMatch(message);
  };
  await refused(['serve', repos, `--directory=${repos}`], /give the directory as DIR or as --directory, not both/, 2);
  await refused(['proxy', 'bzr://127.0.0.1:1/', '--inet'], /--inet is an option of hpss serve/, 2);
  await refused(['serve', repos, '--ssh-listen', '127.0.0.1:0'], /--ssh-listen HOST:PORT and --authorized-keys FILE go together/, 2);
  await refused(['serve', repos, '--ssh-listen', '127.0.0.1:0', '--authorized-keys', join(scratch, 'none')], /cannot read authorized keys/, 1);
  await refused(['serve', repos, '--port', 'http'], /--port: 'http' is not a port number/, 2);
});

test('hpss serve --inet says on stderr why a session cannot be served', async () => {
  const child = spawn(process.execPath, [HPSS_BIN, 'serve', '--inet', `--directory=${repos}`], {
    env: { ...s.env, HPSS_TRACE_DIR: join(scratch, 'failing-traces'), BRZ_PATH: join(scratch, 'no-such-brz') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exit = new Promise<number | null>((done) => child.on('exit', done));
  // A verb only Breezy answers (hello is answered without it).
  child.stdin.write(Buffer.from('bzr request 2\nBzrDir.open_2.1\x01/\n'));
  expect(await exit).toBe(1);
  // stdout carries protocol bytes only: the client is told why in its own version, which brz prints.
  expect(stdout.startsWith('bzr response 2\nfailed\nerror\x01hpss: cannot reach the upstream: cannot run ')).toBe(true);
  expect(stdout).toMatch(/no-such-brz.*ENOENT\n$/);
  expect(stderr).toMatch(/^hpss serve --inet: cannot run .*no-such-brz: .*ENOENT/m);
});
