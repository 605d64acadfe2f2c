/**
 * What a call's detail shows of the wire: each message's v3 headers and its first bytes
 * exactly as they went over the connection.
 *
 * Invariants: at most `limit` bytes are copied per message (a bounded prefix, never the
 * whole message), so capturing costs nothing per byte of a large body; a stream tap
 * works on stream offsets, so a message may start or end anywhere in a chunk.
 */
import type { BValue } from '../../shared/protocol';
import { headersToJson } from '../../shared/protocol';
import { RAW_CAPTURE_BYTES, type JsonObject, type RawBytes } from '../../shared/events';

/** The first bytes of one message and how long it is. */
export class RawCapture {
  private readonly pieces: Buffer[] = [];
  private captured = 0;
  private seen = 0;
  private ended = false;
  private json: RawBytes | null = null;

  constructor(private readonly limit = RAW_CAPTURE_BYTES) {}

  /** The message's next bytes (views are fine: what is kept is copied). */
  add(bytes: Uint8Array): void {
    if (this.ended) return;
    this.seen += bytes.length;
    if (this.captured >= this.limit) return;
    const take = Math.min(bytes.length, this.limit - this.captured);
    this.pieces.push(Buffer.from(bytes.subarray(0, take)));
    this.captured += take;
  }

  /** The message is `length` bytes long: bytes added past it belonged to the next one. */
  end(length: number): void {
    if (this.ended) return;
    this.ended = true;
    this.seen = length;
    this.captured = Math.min(this.captured, length);
  }

  /** Drops the first `count` bytes (they preceded the message). */
  skip(count: number): void {
    if (count <= 0) return;
    const kept = Buffer.concat(this.pieces).subarray(Math.min(count, this.captured), this.captured);
    this.pieces.length = 0;
    this.pieces.push(kept);
    this.captured = kept.length;
    this.seen = Math.max(0, this.seen - count);
  }

  /** Forgets what was added (a request sent again). */
  reset(): void {
    this.pieces.length = 0;
    this.captured = 0;
    this.seen = 0;
    this.ended = false;
    this.json = null;
  }

  toJson(): RawBytes {
    // Once the message has ended its capture no longer changes: one rendering serves every event.
    if (this.ended && this.json) return this.json;
    const whole = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces);
    const prefix = whole.length === this.captured ? whole : whole.subarray(0, this.captured);
    const json = { base64: prefix.toString('base64'), length: this.seen, truncated: this.seen > this.captured };
    if (this.ended) this.json = json;
    return json;
  }
}

/**
 * Captures messages out of one direction of a connection. Tell it each chunk before the
 * decoder sees it (`chunk`), then `start` and `end` at the decoder's message offsets.
 * A decoder may report a message's start only chunks after its first byte (once the
 * version marker is whole), so the bytes after the last message's end are always being
 * captured: they are the next message's first bytes.
 */
export class RawStreamTap {
  private chunkBytes: Uint8Array | null = null;
  private chunkBase = 0;
  private next: RawCapture;
  private nextStart = 0;
  private open: { capture: RawCapture; start: number } | null = null;

  constructor(private readonly limit = RAW_CAPTURE_BYTES) {
    this.next = new RawCapture(limit);
  }

  /** The next chunk of the stream, at stream offset `base`. */
  chunk(bytes: Uint8Array, base: number): void {
    this.chunkBytes = bytes;
    this.chunkBase = base;
    (this.open?.capture ?? this.next).add(bytes);
  }

  /** A message starts at stream `offset`. */
  start(offset: number): RawCapture {
    const capture = this.next;
    capture.skip(offset - this.nextStart);
    this.open = { capture, start: offset };
    return capture;
  }

  /** The open message ends at stream `offset` (exclusive); what follows in the chunk begins the next. */
  end(offset: number): void {
    if (this.open) this.open.capture.end(offset - this.open.start);
    this.open = null;
    this.next = new RawCapture(this.limit);
    this.nextStart = offset;
    const at = offset - this.chunkBase;
    if (this.chunkBytes && at >= 0 && at < this.chunkBytes.length) this.next.add(this.chunkBytes.subarray(at));
  }
}

/** v3 headers as JSON; the decoder hands the same dict again when the bytes repeat, so the last one is kept. */
export class HeadersJson {
  private last: Map<string, BValue> | null = null;
  private json: JsonObject | null = null;

  of(headers: Map<string, BValue> | null): JsonObject | null {
    if (headers === null) return null;
    if (headers !== this.last) {
      const value = headersToJson(headers);
      this.json = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
      this.last = headers;
    }
    return this.json;
  }
}
