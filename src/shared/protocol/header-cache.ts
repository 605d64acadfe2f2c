/**
 * Every v3 message of a connection carries the same header bytes (Breezy sends only
 * `{"Software version": …}`), so a decoder keeps the last header dict and reuses it when
 * the bytes repeat: decoding it again was the largest cost of small messages.
 * Decoded values are shared between messages: treat them as immutable.
 */
import type { BValue } from './types';
import { bdecodeRange } from './bencode';
import type { ByteInput } from './byte-input';
import { copyOf } from './bytes';
import { protocolError } from './errors';

const MAX_CACHED_BYTES = 4096;

export class HeaderCache {
  private bytes: Uint8Array | null = null;
  private value: Map<string, BValue> | null = null;

  /** The header dict in `input.got` (read at stream `offset`). */
  decode(input: ByteInput, offset: number): Map<string, BValue> {
    if (this.value && this.bytes && input.gotEquals(this.bytes)) return this.value;
    const { got, gotStart, gotEnd } = input;
    const value = bdecodeRange(got, gotStart, gotEnd, { baseOffset: offset });
    if (!(value instanceof Map)) throw protocolError('bad-headers', 'headers are not a bencoded dict', offset);
    if (gotEnd - gotStart <= MAX_CACHED_BYTES) {
      this.bytes = copyOf(got, gotStart, gotEnd);
      this.value = value;
    }
    return value;
  }
}
