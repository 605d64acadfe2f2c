/**
 * Our bzip2 output is read back by the real bzip2 (the `bzip2 -d` tool), byte for byte:
 * empty input, one byte, runs (RLE1 boundaries at 4 and 255), periodic text (equal BWT
 * rotations), every byte value, revision-id lines as get_parent_map sends them, and input
 * spanning several blocks. The code lengths are a complete prefix code within bzip2's limit,
 * and the output stays near the real `bzip2 -9`'s size on text.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { bzip2, Bzip2Writer, huffmanCodeLengths } from '../../../src/shared/compression/bzip2';
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

/** Kraft's sum over the lengths, in units of 2^-20: exactly 2^20 for a complete prefix code. */
const kraft = (lengths: number[]) => lengths.reduce((sum, len) => sum + 2 ** (20 - len), 0);

test('code lengths: a complete prefix code, unused symbols coded, never past 17 bits', () => {
  const skewed = [1000, 1, 0, 0, 500, 3, 0, 7];
  const lengths = huffmanCodeLengths(skewed);
  expect(lengths.every((len) => len >= 1)).toBe(true);
  expect(kraft(lengths)).toBe(2 ** 20);
  expect(lengths[0]).toBeLessThanOrEqual(lengths[4]);
  expect(lengths[4]).toBeLessThan(lengths[2]);
  // Fibonacci weights make an unbounded Huffman tree as deep as there are symbols.
  const fib = [1, 1];
  while (fib.length < 30) fib.push(fib[fib.length - 1] + fib[fib.length - 2]);
  const deep = huffmanCodeLengths(fib);
  expect(Math.max(...deep)).toBeLessThanOrEqual(17);
  expect(kraft(deep)).toBe(2 ** 20);
  expect(huffmanCodeLengths([5])).toEqual([1]);
  expect(huffmanCodeLengths([0, 0])).toEqual([1, 1]);
});

test('on text, the output is within a quarter of bzip2 -9\'s size, and reads back', () => {
  requireTool('bzip2', 'bzip2');
  const text = Buffer.concat(['src/shared/compression/bzip2.ts', 'src/main/server/backends/builtin/bundle-writer.ts', 'docs/architecture.md'].map((f) => readFileSync(f)));
  const ours = bzip2(text);
  const theirs = execFileSync('bzip2', ['-9', '-c'], { input: text });
  expect(Buffer.compare(unbzip2(ours), text)).toBe(0);
  expect(ours.length).toBeLessThan(theirs.length * 1.25);
}, 60_000);
