/** `hpss decode` on the captures (exactly Breezy's decoding) and on damaged copies. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAPTURES_DIR, captureNames, expectedMessages, loadCapture } from '../../shared/protocol/support/captures';

const ROOT = join(__dirname, '../../..');
const run = promisify(execFile);

async function hpss(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/hpss.js'), ...args], { cwd: ROOT, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function lines(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Newest modification time under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// `npm test` builds first; build here only when run alone on stale output (a rebuild
// while other test files read out/ would disturb them).
beforeAll(async () => {
  const built = join(ROOT, 'out/main/hpss.js');
  if (!existsSync(built) || statSync(built).mtimeMs < newest(join(ROOT, 'src'))) {
    await run('npm', ['run', 'build'], { cwd: ROOT, timeout: 120_000 });
  }
}, 150_000);

describe('hpss decode', () => {
  it.each(captureNames())('%s --json matches the expected messages', async (name) => {
    const capture = loadCapture(name);
    const res = await hpss('decode', join(CAPTURES_DIR, `${name}.c2s.bin`), join(CAPTURES_DIR, `${name}.s2c.bin`), '--json');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const got = lines(res.stdout);
    const expected = expectedMessages(capture);
    expect(got.length).toBe(expected.length);
    got.forEach((m, i) => {
      expect(m.exchange).toBe(capture.expected.messages[i].exchange);
      expect(Object.keys(m).slice(0, 10)).toEqual(['exchange', 'dir', 'kind', 'protocol', 'offset', 'length', 'headers', 'status', 'args', 'body']);
      if (m.kind === 'request') expect(m.status).toBeNull();
      const picked = Object.fromEntries(Object.keys(expected[i]).map((k) => [k, m[k]]));
      expect(picked).toEqual(expected[i]);
    });
  });

  it('prints one readable line per message', async () => {
    const res = await hpss('decode', join(CAPTURES_DIR, 'lib-v2-vfs.conn1.c2s.bin'), join(CAPTURES_DIR, 'lib-v2-vfs.conn1.s2c.bin'));
    expect(res.code).toBe(0);
    const out = res.stdout.trim().split('\n');
    expect(out).toHaveLength(26);
    expect(out[0]).toMatch(/^\s*0 c2s v2 request\s+read hello \(\)$/);
    expect(out[25]).toMatch(/12 s2c v2 response S \("ok", "10"\) \| body 770 B in 3 parts \(chunked\)/);
  });

  it('decodes requests alone when only C2S_FILE is given', async () => {
    const res = await hpss('decode', join(CAPTURES_DIR, 'cli-info.conn1.c2s.bin'), '--json');
    expect(res.code).toBe(0);
    expect(lines(res.stdout).every((m) => m.dir === 'c2s')).toBe(true);
  });

  it('on a corrupted response stream: messages before the fault, then the direction and offset, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpss-decode-'));
    const capture = loadCapture('cli-log.conn1');
    const responses = capture.expected.messages.filter((m) => m.dir === 's2c');
    const faultAt = responses[3].offset as number;
    const bad = new Uint8Array(readFileSync(join(CAPTURES_DIR, 'cli-log.conn1.s2c.bin')));
    bad[faultAt] = 0x58;
    const badFile = join(dir, 'bad.s2c');
    writeFileSync(badFile, bad);
    const res = await hpss('decode', join(CAPTURES_DIR, 'cli-log.conn1.c2s.bin'), badFile, '--json');
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`hpss decode: s2c: expected the protocol v3 marker (at byte ${faultAt})\n`);
    const got = lines(res.stdout);
    expect(got.filter((m) => m.dir === 's2c')).toHaveLength(3);
    expect(got.filter((m) => m.dir === 'c2s')).toHaveLength(capture.expected.request_count as number);
  });

  it('on a truncated request stream: names c2s and the end offset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpss-decode-'));
    const file = join(dir, 'short.c2s');
    writeFileSync(file, readFileSync(join(CAPTURES_DIR, 'cli-log.conn1.c2s.bin')).subarray(0, 500));
    const res = await hpss('decode', file);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^hpss decode: c2s: stream ended inside .* began at byte 481.*\(at byte 500\)\n$/);
    expect(res.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('rejects bad usage with status 2', async () => {
    expect((await hpss('decode')).code).toBe(2);
  });
});
