/**
 * A 256 MiB `get` streams from disk: the answer announces the length up front (v1/v2 can
 * stream a bulk body), the pieces carry every byte in place, and memory stays far below the
 * file's size while they are read.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import { isRelayed } from '../../../../../src/main/server/core/server-call';
import { serverCall } from '../../../../support/server-call';

const SIZE = 256 * 1024 * 1024;
/** Bytes written at known offsets of an otherwise sparse (zero) file. */
const MARKS = [0, 1, 65_535, 65_536, 262_143, 262_144, 100_000_007, SIZE - 1].map((at, i) => ({ at, byte: 0x41 + i }));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hpss-large-get-'));
  const fd = openSync(join(dir, 'big'), 'w');
  ftruncateSync(fd, SIZE);
  for (const { at, byte } of MARKS) writeSync(fd, Buffer.from([byte]), 0, 1, at);
  closeSync(fd);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const memory = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

test('get of 256 MiB: every byte in place, memory growth under 48 MiB', async () => {
  const conn = new BuiltinBackend({ dir, allowWrites: false }).open();
  const before = memory();
  const answer = await conn.handle(serverCall('get', ['big']));
  if (isRelayed(answer) || !answer.body || answer.body instanceof Uint8Array) throw new Error('expected a streamed body');
  expect(answer).toMatchObject({ status: 'S', args: ['ok'] });
  expect(answer.body.length).toBe(SIZE);
  let offset = 0;
  let peak = 0;
  const seen = new Map<number, number>();
  for await (const piece of answer.body.pieces) {
    for (const { at } of MARKS) if (at >= offset && at < offset + piece.length) seen.set(at, piece[at - offset]);
    offset += piece.length;
    peak = Math.max(peak, memory() - before);
  }
  expect(offset).toBe(SIZE);
  expect([...seen.entries()].sort((a, b) => a[0] - b[0])).toEqual(MARKS.map(({ at, byte }) => [at, byte]));
  expect(peak).toBeLessThan(48 * 1024 * 1024);
}, 120_000);
