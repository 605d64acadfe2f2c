/**
 * Body pieces read from disk into buffers that are reused within a body and, once a body is
 * done or given up, by the next: bodies streamed at once never share a buffer, and a body
 * after them (using their buffers) reads its own bytes.
 */
import { open } from 'node:fs/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readRanges } from '../../../../../src/main/server/backends/builtin/file-pieces';

const SIZE = 5 * 1024 * 1024 + 12_345;
let dir: string;
const content = (seed: number) => Buffer.from(Array.from({ length: SIZE }, (_, i) => (i * seed + (i >> 20)) & 0xff));
const files = [3, 7, 11, 13].map((seed) => ({ name: `f${seed}`, bytes: content(seed) }));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hpss-file-pieces-'));
  for (const f of files) writeFileSync(join(dir, f.name), f.bytes);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function body(name: string) {
  return readRanges(await open(join(dir, name), 'r'), [{ start: 0, length: SIZE }], name);
}

test('two bodies streamed piece by piece in turns each read their own file', async () => {
  const [a, b] = [await body('f3'), await body('f7')];
  const got: [Buffer[], Buffer[]] = [[], []];
  for (;;) {
    const [x, y] = [await a.next(), await b.next()];
    // Copied at once: a piece is the reader's until the consumer asks for the second after it.
    if (!x.done) got[0].push(Buffer.from(x.value));
    if (!y.done) got[1].push(Buffer.from(y.value));
    if (x.done && y.done) break;
  }
  expect(Buffer.compare(Buffer.concat(got[0]), files[0].bytes)).toBe(0);
  expect(Buffer.compare(Buffer.concat(got[1]), files[1].bytes)).toBe(0);
});

test('a body given up part-way, then another, then one after both: each reads its own bytes', async () => {
  const abandoned = await body('f11');
  const first = await abandoned.next();
  expect(Buffer.compare(Buffer.from(first.value as Uint8Array), files[2].bytes.subarray(0, (first.value as Uint8Array).length))).toBe(0);
  await abandoned.return(undefined);
  for (const f of [files[3], files[0]]) {
    const pieces: Buffer[] = [];
    for await (const piece of await body(f.name)) pieces.push(Buffer.from(piece));
    expect(Buffer.compare(Buffer.concat(pieces), f.bytes)).toBe(0);
  }
});
