import { describe, expect, it } from 'vitest';
import { bdecode, bencode, HpssError, type BValue } from '../../../src/shared/protocol';
import { text } from './support/naive';

function decodeText(s: string, opts = {}): BValue {
  return bdecode(text(s), opts);
}

function errorOf(fn: () => unknown): HpssError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HpssError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('bdecode', () => {
  it('decodes every type', () => {
    expect(decodeText('i42e')).toBe(42);
    expect(decodeText('i-7e')).toBe(-7);
    expect(decodeText('i0e')).toBe(0);
    expect(decodeText('i123456789012345678901234567890e')).toBe(123456789012345678901234567890n);
    expect(decodeText('3:abc')).toEqual(text('abc'));
    expect(decodeText('0:')).toEqual(new Uint8Array(0));
    expect(decodeText('l3:abci1eli2eee')).toEqual([text('abc'), 1, [2]]);
    expect(decodeText('d1:ai1e1:bl0:ee')).toEqual(new Map<string, BValue>([['a', 1], ['b', [new Uint8Array(0)]]]));
  });

  it('keeps non-UTF-8 dict keys as "hex:…"', () => {
    const bytes = Uint8Array.from([0x64, 0x31, 0x3a, 0xff, 0x69, 0x31, 0x65, 0x65]);
    expect(bdecode(bytes)).toEqual(new Map([['hex:ff', 1]]));
    expect(bencode(bdecode(bytes))).toEqual(bytes);
  });

  it.each([
    ['i-0e', 0, 'negative zero'],
    ['i03e', 0, 'leading zero'],
    ['03:abc', 0, 'leading zero'],
    ['i1ex', 3, 'junk'],
    ['l', 1, 'unterminated list'],
    ['d1:bi1e1:ai2ee', 7, 'ascending'],
    ['d1:ai1e1:ai2ee', 7, 'ascending'],
    ['di1ei2ee', 1, 'not a byte string'],
    ['5:abc', 0, 'runs past the input'],
    ['ie', 0, 'malformed integer'],
    ['x', 0, 'unexpected byte'],
  ])('rejects %s at byte %i', (input, offset, words) => {
    const err = errorOf(() => decodeText(input));
    expect(err.code).toBe('bencode');
    expect(err.kind).toBe('protocol');
    expect(err.offset).toBe(offset);
    expect(err.message).toContain(words);
  });

  it('limits nesting', () => {
    const deep = 'l'.repeat(10) + 'e'.repeat(10);
    expect(decodeText(deep, { maxDepth: 10 })).toBeDefined();
    const err = errorOf(() => decodeText(deep, { maxDepth: 9 }));
    expect(err.message).toContain('nesting deeper than 9');
    expect(err.offset).toBe(9);
  });

  it('reports offsets relative to a base', () => {
    expect(errorOf(() => decodeText('i1ex', { baseOffset: 100 })).offset).toBe(103);
  });
});

describe('bencode', () => {
  it('encodes with sorted keys and round-trips', () => {
    const value = new Map<string, BValue>([
      ['b', [1, -2, 2n ** 70n, text('x')]],
      ['a', new Map()],
    ]);
    const bytes = bencode(value);
    expect(Buffer.from(bytes).toString('latin1')).toBe('d1:ade1:bli1ei-2ei1180591620717411303424e1:xee');
    expect(bdecode(bytes)).toEqual(value);
  });

  it('refuses non-integers', () => {
    expect(() => bencode(1.5)).toThrow(TypeError);
  });
});
