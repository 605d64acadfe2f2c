/** Every capture decodes to exactly what Breezy decoded, however its bytes are chunked. */
import { describe, expect, it } from 'vitest';
import type { Direction } from '../../../src/shared/protocol';
import { seededRandom } from '../../support/seeded-random';
import { captureNames, decodeChunks, expectedMessages, loadCapture, randomSplit } from './support/captures';

type Chunk = { dir: Direction; bytes: Uint8Array };

function perDirection(c2s: Uint8Array[], s2c: Uint8Array[]): Chunk[] {
  // All requests first, then all responses: the response decoder waits for nothing.
  return [...c2s.map((bytes) => ({ dir: 'c2s' as const, bytes })), ...s2c.map((bytes) => ({ dir: 's2c' as const, bytes }))];
}

function bytewise(b: Uint8Array): Uint8Array[] {
  return Array.from({ length: b.length }, (_, i) => b.subarray(i, i + 1));
}

const names = captureNames();

describe('captures', () => {
  it('are all here', () => {
    expect(names.length).toBeGreaterThanOrEqual(12);
  });

  describe.each(names)('%s', (name) => {
    const capture = loadCapture(name);
    const expected = expectedMessages(capture);

    it('decodes with the real recv() chunk boundaries', () => {
      expect(decodeChunks(capture.chunks)).toEqual(expected);
    });

    it('decodes fed whole', () => {
      expect(decodeChunks(perDirection([capture.c2s], [capture.s2c]))).toEqual(expected);
    });

    it('decodes fed byte by byte', () => {
      expect(decodeChunks(perDirection(bytewise(capture.c2s), bytewise(capture.s2c)))).toEqual(expected);
    });

    it('decodes in random splits (seeded)', () => {
      for (let seed = 1; seed <= 8; seed++) {
        const rand = seededRandom(seed);
        const max = [3, 17, 64, 700][seed % 4];
        const chunks = perDirection(randomSplit(capture.c2s, rand, max), randomSplit(capture.s2c, rand, max));
        expect(decodeChunks(chunks), `seed ${seed}`).toEqual(expected);
      }
    });

    it('matches the stream totals', () => {
      const messages = decodeChunks(capture.chunks);
      expect(messages.filter((m) => m.kind === 'request').length).toBe(capture.expected.request_count);
      expect(messages.filter((m) => m.kind === 'response').length).toBe(capture.expected.response_count);
      expect(messages.filter((m) => m.verb_kind === 'vfs').length).toBe(capture.expected.vfs_request_count);
    });
  });
});
