/** Damaged captures: every outcome is messages or an HpssError with an offset, never another exception. */
import { describe, expect, it } from 'vitest';
import { ConnectionDecoder, HpssError } from '../../../src/shared/protocol';
import { seededRandom } from '../../support/seeded-random';
import { captureNames, loadCapture } from './support/captures';

function mutate(bytes: Uint8Array, rand: () => number): Uint8Array {
  const out = bytes.slice();
  const edits = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * out.length);
    const kind = rand();
    if (kind < 0.6) out[at] = Math.floor(rand() * 256);
    else if (kind < 0.8) out[at] = [0x0a, 0x01, 0x65, 0x73, 0x62, 0x6f, 0x30][Math.floor(rand() * 7)];
    else return out.subarray(0, at);
  }
  return out;
}

describe('damaged streams', () => {
  it.each(captureNames())('%s: 60 seeded mutations per direction', (name) => {
    const capture = loadCapture(name);
    const rand = seededRandom(name.length * 7919);
    let errors = 0;
    for (let round = 0; round < 120; round++) {
      const damageRequests = round % 2 === 0;
      const c2s = damageRequests ? mutate(capture.c2s, rand) : capture.c2s;
      const s2c = damageRequests ? capture.s2c : mutate(capture.s2c, rand);
      const decoder = new ConnectionDecoder(() => {});
      try {
        for (let at = 0; at < c2s.length; at += 97) decoder.feedRequestBytes(c2s.subarray(at, at + 97));
        for (let at = 0; at < s2c.length; at += 89) decoder.feedResponseBytes(s2c.subarray(at, at + 89));
        decoder.finish();
      } catch (err) {
        expect(err).toBeInstanceOf(HpssError);
        expect(typeof (err as HpssError).offset).toBe('number');
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});
