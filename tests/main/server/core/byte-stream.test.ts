import { expect, test } from 'vitest';
import { ByteStream } from '../../../../src/main/server/core/byte-stream';

const b = (s: string) => new TextEncoder().encode(s);
const text = (u: Uint8Array) => new TextDecoder().decode(u);

test('a piped consumer gets chunks synchronously, in order, then the end; a busy one holds the producer back', async () => {
  const s = new ByteStream(4);
  const got: string[] = [];
  let release: () => void = () => undefined;
  let ended = false;
  s.pipe({
    data: (c) => {
      got.push(text(c));
      if (got.length === 1) return new Promise<void>((r) => (release = r));
    },
    end: () => void (ended = true),
  });
  expect(s.push(b('ab'))).toBeInstanceOf(Promise); // the consumer is working on it
  expect(s.push(b('cd'))).toBeUndefined(); // queued, still under the mark
  const held = s.push(b('efg')); // past the 4-byte mark: wait
  expect(held).toBeInstanceOf(Promise);
  s.end();
  expect(got).toEqual(['ab']);
  release();
  await held;
  expect(got).toEqual(['ab', 'cd', 'efg']);
  expect(ended).toBe(true);
});

test('an iterator reads what was pushed before and after, and whole() refuses past its limit', async () => {
  const s = new ByteStream();
  void s.push(b('he'));
  const reading = s.whole(100, () => new Error('too big'));
  void s.push(b('llo'));
  s.end();
  expect(text(await reading)).toBe('hello');
  const big = ByteStream.of(b('12345'), b('6789'));
  await expect(big.whole(8, (limit) => new Error(`over ${limit}`))).rejects.toThrow('over 8');
});

test('a stream has one consumer; an ended stream with an error throws it to its reader', async () => {
  const s = new ByteStream();
  s.pipe({ data: () => undefined, end: () => undefined });
  expect(() => s.pipe({ data: () => undefined, end: () => undefined })).toThrow(/one consumer/);
  const failed = new ByteStream();
  failed.end(new Error('upstream closed'));
  await expect(failed.whole(10, () => new Error('x'))).rejects.toThrow('upstream closed');
  expect(() => failed.push(b('x'))).toThrow(/after end/);
});

test('the shared empty stream ends at once for every consumer', async () => {
  let ends = 0;
  ByteStream.EMPTY.pipe({ data: () => undefined, end: () => void ends++ });
  ByteStream.EMPTY.pipe({ data: () => undefined, end: () => void ends++ });
  expect(ends).toBe(2);
  expect((await ByteStream.EMPTY.whole(1, () => new Error('x'))).length).toBe(0);
});
