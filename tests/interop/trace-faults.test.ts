/**
 * `hpss serve --trace` whose trace can no longer be written — its folder removed, or
 * the file size limit (RLIMIT_FSIZE, a real EFBIG) reached — says so once on stderr (the
 * `error` event) and keeps serving: a real client still gets its hello answered.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { HPSS_BIN, startHpss, type HpssProcess } from '../support/hpss-cli';
import { requireTool, startTestHosts, type TestHosts } from '../support/test-hosts';

const run = promisify(execFile);
let hosts: TestHosts;
let scratch: string;
beforeAll(() => {
  hosts = startTestHosts();
  scratch = mkdtempSync(join(tmpdir(), 'hpss-trace-faults-'));
});
afterAll(() => {
  hosts?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function hello(url: string): Promise<string> {
  const { stdout } = await run(process.execPath, [HPSS_BIN, 'call', url, 'hello', '--json'], { timeout: 20_000 });
  return (JSON.parse(stdout) as { status: string }).status;
}

async function serving(server: HpssProcess): Promise<string> {
  const [, url] = await server.waitFor(/listening on (bzr:\/\/\S+)/);
  return url;
}

test('the trace folder removed while serving: one error on stderr, and hello is still answered', async () => {
  const folder = join(scratch, 'traces');
  mkdirSync(folder);
  const server = startHpss(['serve', hosts.env.REPOS, '--listen', '127.0.0.1:0', '--trace', join(folder, 't.jsonl')], hosts.brzEnv());
  try {
    const url = await serving(server);
    expect(await hello(url)).toBe('S');
    rmSync(folder, { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await hello(url)).toBe('S');
    await server.waitFor(/internal error: cannot write trace .*t\.jsonl: the file \(or its folder\) was removed/, 'stderr');
    expect(await hello(url)).toBe('S');
    expect(server.stderr().match(/cannot write trace/g)).toHaveLength(1);
  } finally {
    await server.stop();
  }
});

test('the trace reaching the file size limit (a real EFBIG): one error on stderr, and hello is still answered', async () => {
  requireTool('prlimit', 'util-linux');
  const file = join(scratch, 'limited.jsonl');
  // prlimit runs hpss with RLIMIT_FSIZE; brz's own log goes to /dev/null, which no limit touches.
  const limited = execFile('prlimit', ['--fsize=8000', process.execPath, HPSS_BIN, 'serve', hosts.env.REPOS, '--listen', '127.0.0.1:0', '--trace', file], {
    env: { ...hosts.brzEnv(), BRZ_LOG: '/dev/null' },
  });
  let out = '';
  let err = '';
  limited.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  limited.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  try {
    for (let i = 0; i < 200 && !/listening on/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (bzr:\/\/\S+)/.exec(out)![1];
    for (let i = 0; i < 20 && !/cannot write trace/.test(err); i++) expect(await hello(url)).toBe('S');
    expect(err).toMatch(/internal error: cannot write trace .*limited\.jsonl: .*(EFBIG|too large)/i);
    expect(await hello(url)).toBe('S');
    expect(await hello(url)).toBe('S');
    expect(err.match(/cannot write trace/g)).toHaveLength(1);
    expect(statSync(file).size).toBeLessThanOrEqual(8000);
  } finally {
    limited.kill();
  }
});
