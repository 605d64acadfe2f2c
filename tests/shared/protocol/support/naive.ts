/**
 * Test vectors built by hand, independently of our encoders: strings and numbers become
 * bytes the obvious way (no bencode module, no protocol module).
 */
import { MessageCollector, type CollectedMessage, type DecodeEvent } from '../../../../src/shared/protocol';

export class Bytes {
  private parts: number[] = [];

  text(s: string): this {
    for (const b of Buffer.from(s, 'utf8')) this.parts.push(b);
    return this;
  }

  raw(bytes: Iterable<number>): this {
    for (const b of bytes) this.parts.push(b);
    return this;
  }

  u32(n: number): this {
    this.parts.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
    return this;
  }

  /** A v3 length-prefixed item whose content is given as (hand-written) text. */
  prefixed(content: string): this {
    const b = Buffer.from(content, 'utf8');
    return this.u32(b.length).raw(b);
  }

  get length(): number {
    return this.parts.length;
  }

  build(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export const V3 = 'bzr message 3 (bzr 1.6)\n';
export const HEADERS = 'd16:Software version5:3.3.2e';

/** Feed `bytes` into a fresh decoder made by `make`, at every split mode; return the messages of each mode. */
export function feedAllWays(
  bytes: Uint8Array,
  make: (onEvent: (e: DecodeEvent) => void) => { feed(c: Uint8Array): void; finish(): void },
): CollectedMessage[][] {
  const modes: Uint8Array[][] = [[bytes], Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))];
  for (let cut = 1; cut < bytes.length; cut++) modes.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
  return modes.map((chunks) => {
    const out: CollectedMessage[] = [];
    const collector = new MessageCollector((m) => out.push(m));
    const decoder = make(collector.onEvent);
    for (const c of chunks) decoder.feed(c);
    decoder.finish();
    return out;
  });
}

export const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
