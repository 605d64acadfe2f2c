/**
 * The events an import produces, in the live engine's vocabulary but stamped with the
 * capture's (or log's) own times. Imports emit in the order they read, which is not
 * always time order across connections; `stamped()` orders by time (stably) and numbers
 * `seq` from 1, as a recording does.
 */
import { RAW_CAPTURE_BYTES, type EngineEvent, type RawBytes, type UnstampedEvent } from '../events';
import { toBase64 } from './base64';

export class ImportedEvents {
  private readonly list: EngineEvent[] = [];

  add(event: UnstampedEvent, t: number): void {
    this.list.push({ ...event, seq: 0, t } as EngineEvent);
  }

  get count(): number {
    return this.list.length;
  }

  stamped(): EngineEvent[] {
    const ordered = this.list.map((e, i) => ({ e, i })).sort((x, y) => x.e.t - y.e.t || x.i - y.i);
    return ordered.map(({ e }, i) => ({ ...e, seq: i + 1 }));
  }
}

/** What a call event shows of a message's bytes: its first RAW_CAPTURE_BYTES and its whole length. */
export function rawBytes(prefix: Uint8Array, length: number): RawBytes {
  const captured = prefix.subarray(0, Math.min(prefix.length, length, RAW_CAPTURE_BYTES));
  return { base64: toBase64(captured), length, truncated: length > captured.length };
}

/**
 * The first bytes of each message of one direction, placed by the decoder's stream offsets.
 * Between messages there are no other bytes (a decoder fails on them), so the bytes after
 * one message's end are the next one's start.
 */
export class MessagePrefixes {
  private readonly buf = new Uint8Array(RAW_CAPTURE_BYTES);
  private held = 0;
  private start = 0;
  private chunkBytes: Uint8Array | null = null;
  private chunkBase = 0;

  /** The next bytes of the stream, at stream offset `base`, before the decoder sees them. */
  chunk(bytes: Uint8Array, base: number): void {
    // A copy: a response decoder may end a message chunks later (once its request is
    // known), when the caller has reused the chunk it fed.
    this.chunkBytes = new Uint8Array(bytes);
    this.chunkBase = base;
    this.append(bytes);
  }

  /** The message that began at `start` ended at `end` (exclusive). */
  end(end: number): RawBytes {
    const raw = rawBytes(this.buf.subarray(0, this.held), end - this.start);
    this.held = 0;
    this.start = end;
    const at = end - this.chunkBase;
    if (this.chunkBytes && at >= 0 && at < this.chunkBytes.length) this.append(this.chunkBytes.subarray(at));
    return raw;
  }

  private append(bytes: Uint8Array): void {
    const take = Math.min(bytes.length, this.buf.length - this.held);
    this.buf.set(bytes.subarray(0, take), this.held);
    this.held += take;
  }
}
