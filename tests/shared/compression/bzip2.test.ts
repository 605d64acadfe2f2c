/**
 * Our bzip2 output is read back by the real bzip2 (the `bzip2 -d` tool), byte for byte:
 * empty input, one byte, runs (RLE1 boundaries at 4 and 255), periodic text (equal BWT
 * rotations), every byte value, revision-id lines as get_parent_map sends them, and input
 * spanning several blocks.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { bzip2, Bzip2Writer } from '../../../src/shared/compression/bzip2';
import { requireTool } from '../../support/test-hosts';

const unbzip2 = (data: Uint8Array) => execFileSync('bzip2', ['-d', '-c'], { input: data, maxBuffer: 64 << 20 });

const CASES: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from('x')],
  ['runs', Buffer.concat([Buffer.alloc(3, 1), Buffer.alloc(4, 2), Buffer.alloc(5, 3), Buffer.alloc(255, 4), Buffer.alloc(256, 5), Buffer.alloc(1000, 0)])],
  ['periodic', Buffer.from('ab'.repeat(5000))],
  ['every byte value', Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256))],
  ['random', randomBytes(20_000)],
  ['parent map lines', Buffer.from(Array.from({ length: 800 }, (_, i) => `fixture@example.invalid-20261202031148-${String(i).padStart(6, '0')}abcdef fixture@example.invalid-20261202031148-${String(i - 1).padStart(6, '0')}abcdef`).join('\n'))],
  ['several blocks', Buffer.from(Array.from({ length: 250_000 }, (_, i) => (i * 7919) % 251))],
];

test.each(CASES)('%s: bzip2 -d gives the input back', (_name, input) => {
  requireTool('bzip2', 'bzip2');
  expect(Buffer.compare(unbzip2(bzip2(input)), input)).toBe(0);
}, 60_000);

test('Bzip2Writer fed in uneven pieces gives the same stream as bzip2() of the whole', () => {
  const input = Buffer.from(Array.from({ length: 230_000 }, (_, i) => (i * 31) % 253));
  const writer = new Bzip2Writer();
  const out: Uint8Array[] = [];
  for (let at = 0, step = 1; at < input.length; at += step, step = (step * 7 + 13) % 40_000) out.push(writer.write(input.subarray(at, at + step)));
  out.push(writer.end());
  // Bytes come out as blocks fill, before the end.
  expect(out.slice(0, -1).some((piece) => piece.length > 0)).toBe(true);
  expect(Buffer.compare(Buffer.concat(out), Buffer.from(bzip2(input)))).toBe(0);
  expect(() => writer.write(Buffer.from('x'))).toThrow(/ended/);
}, 60_000);
