/**
 * Request bodies the built-in backend reads whole are bounded: one past the limit is refused
 * with an error answer that names the limit (memory per request stays bounded), and the same
 * connection goes on answering; one at the limit is read and answered as usual.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { ask } from '../../../../support/server-call';

const dir = mkdtempSync(join(tmpdir(), 'hpss-builtin-limits-'));
writeFileSync(join(dir, 'file'), 'x'.repeat(4096));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1024 * 1024;

test.each([
  ['readv', ['file'], 4 * MiB],
  ['Repository.get_parent_map', [''], 16 * MiB],
  ['Repository.iter_revisions', [''], 16 * MiB],
] as const)('%s: a body of its limit + 1 byte is refused with the limit named; the connection answers on', async (verb, args, limit) => {
  const conn = new BuiltinBackend({ dir, allowWrites: false }).open();
  const refused = await ask(conn, verb, args, Buffer.alloc(limit + 1, 0x30));
  expect(refused).toMatchObject({ status: 'E', args: ['error', 'hpss: request body too large', `the built-in server accepts at most ${limit} bytes here`] });
  expect(await ask(conn, 'readv', ['file'], Buffer.from('0,10'))).toMatchObject({ status: 'S', args: ['readv'] });
});

test('readv: a body at its limit is read, not refused', async () => {
  const conn = new BuiltinBackend({ dir, allowWrites: false }).open();
  // Offsets padded with leading zeros up to exactly 4 MiB: Python's int() reads them as Breezy does.
  const body = Buffer.alloc(4 * MiB, 0x30);
  body.write('0,10', 4 * MiB - 4);
  expect(await ask(conn, 'readv', ['file'], body)).toMatchObject({ status: 'S', args: ['readv'] });
});
