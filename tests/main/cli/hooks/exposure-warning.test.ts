import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { exposureWarnings, isLoopbackHost } from '../../../../src/main/cli/hooks/exposure-warning';
import { HPSS_BIN } from '../../../support/hpss-cli';

test('loopback is 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost; nothing else', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
  for (const h of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.com', '::ffff:10.0.0.1', '128.0.0.1', '127.example.com']) expect(isLoopbackHost(h), h).toBe(false);
});

test('one warning pair per exposed address, saying what the world can do there', () => {
  expect(exposureWarnings('serve', [{ option: '--listen', listen: '127.0.0.1:4155' }, { option: '--ssh-listen', listen: '[::1]:0' }], true)).toEqual([]);
  const lines = exposureWarnings('serve', [{ option: '--listen', listen: '0.0.0.0:4155' }, { option: '--ssh-listen', listen: '[::]:2222' }], true);
  expect(lines).toHaveLength(4);
  expect(lines[0]).toBe('hpss serve: WARNING: --listen 0.0.0.0:4155 is not a loopback address: anyone who can reach this machine on that port can read AND WRITE the served directory.');
  expect(lines[2]).toMatch(/--ssh-listen \[::\]:2222 is not a loopback address/);
  expect(exposureWarnings('proxy', [{ option: '--listen', listen: '0.0.0.0:1' }], false)[0]).toMatch(/can relay to its upstream/);
});

test('hpss serve warns before it listens (an unreachable TEST-NET address, so nothing is exposed)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpss-exposed-'));
  try {
    const r = await promisify(execFile)(process.execPath, [HPSS_BIN, 'serve', dir, '--listen', '192.0.2.1:0']).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^hpss serve: WARNING: --listen 192\.0\.2\.1:0 is not a loopback address/m);
    expect(r.stderr).toMatch(/cannot listen on 192\.0\.2\.1:0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
