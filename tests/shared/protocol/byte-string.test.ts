import { describe, expect, it } from 'vitest';
import { byteString } from '../../../src/shared/protocol/text';

describe('byteString', () => {
  it('maps every byte to the code point of the same value (0x80–0x9F too, unlike windows-1252)', () => {
    const all = Uint8Array.from({ length: 256 }, (_, b) => b);
    const text = byteString(all);
    expect(text.length).toBe(256);
    expect([...text].map((c) => c.charCodeAt(0))).toEqual([...all]);
  });

  it('keeps order and length across its internal slices', () => {
    const big = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 7) & 0xff);
    const text = byteString(big);
    expect(text.length).toBe(big.length);
    expect(text.charCodeAt(8191)).toBe(big[8191]);
    expect(text.charCodeAt(8192)).toBe(big[8192]);
    expect(text.charCodeAt(19_999)).toBe(big[19_999]);
    expect(byteString(new Uint8Array(0))).toBe('');
  });
});
