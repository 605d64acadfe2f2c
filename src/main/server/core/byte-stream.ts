/**
 * A one-consumer byte stream between the connection core and a backend: a request's body
 * or wire bytes on the way in, a streamed response body or relayed response on the way out.
 *
 * Invariants: chunks reach the consumer in order, each once; a consumer attached with
 * `pipe` gets them synchronously as they are pushed (no promise per chunk on the hot path),
 * an async iterator gets them through a queue. Either way memory is bounded: `push` answers
 * a promise (backpressure) while the consumer is busy or the queue holds more than
 * `highWaterBytes`, and a producer that ignores it is a programming error, not a client's.
 * Chunks are kept as given: a producer that reuses a buffer must push a copy.
 */
import { concatBytes } from '../../../shared/protocol';

/** Who receives a piped stream's chunks; `data` may answer a promise to slow the producer. */
export interface ByteConsumer {
  data(chunk: Uint8Array): void | Promise<void>;
  end(error?: Error): void;
}

/** What a response body or a relayed response raised part-way (the stream ends with it). */
export class ByteStreamAborted extends Error {
  override readonly name = 'ByteStreamAborted';
}

const DEFAULT_HIGH_WATER_BYTES = 1024 * 1024;

export class ByteStream implements AsyncIterable<Uint8Array> {
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private ended = false;
  private error: Error | undefined;
  private consumer: ByteConsumer | null = null;
  private iterating = false;
  /** A pending `next()` of the iterator, woken by push/end. */
  private wake: (() => void) | null = null;
  /** Producers waiting for the queue to drain, woken once it is below the mark. */
  private drained: (() => void)[] = [];
  /** Set while a piped consumer works on a chunk (it answered a promise). */
  private busy: Promise<void> | null = null;
  private endDelivered = false;

  constructor(private readonly highWaterBytes = DEFAULT_HIGH_WATER_BYTES) {}

  /** The stream that is already over, shared: no bytes, and piping or iterating it just ends. */
  static readonly EMPTY: ByteStream = (() => {
    const s = new ByteStream();
    s.end();
    return s;
  })();

  /** A stream of the given chunks, already ended. */
  static of(...chunks: Uint8Array[]): ByteStream {
    const s = new ByteStream(Number.MAX_SAFE_INTEGER);
    for (const c of chunks) void s.push(c);
    s.end();
    return s;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get hasConsumer(): boolean {
    return this.consumer !== null || this.iterating;
  }

  /** Adds a chunk; a promise means: wait before pushing more. */
  push(chunk: Uint8Array): void | Promise<void> {
    if (this.ended) throw new Error('push after end of a byte stream');
    if (chunk.length === 0) return;
    if (this.consumer && !this.busy && this.queue.length === 0) return this.deliver(chunk);
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    this.wake?.();
    if (this.queuedBytes <= this.highWaterBytes) return;
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** No more chunks; `error` ends it as failed (an iterator throws it, a consumer gets it). */
  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.wake?.();
    if (this.consumer && !this.busy && this.queue.length === 0) this.deliverEnd();
  }

  /** Hands every chunk, queued and future, to `consumer`, synchronously where it can. */
  pipe(consumer: ByteConsumer): void {
    if (this === ByteStream.EMPTY) {
      consumer.end();
      return;
    }
    if (this.consumer || this.iterating) throw new Error('a byte stream has one consumer');
    this.consumer = consumer;
    this.flushToConsumer();
  }

  /** The whole stream as one buffer; past `limit` bytes it fails with `tooLarge()`'s error. */
  async whole(limit: number, tooLarge: (limit: number) => Error): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of this) {
      length += chunk.length;
      if (length > limit) throw tooLarge(limit);
      parts.push(chunk);
    }
    return concatBytes(parts);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this === ByteStream.EMPTY) return;
    if (this.consumer || this.iterating) throw new Error('a byte stream has one consumer');
    this.iterating = true;
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk) {
        this.queuedBytes -= chunk.length;
        this.releaseProducers();
        yield chunk;
        continue;
      }
      if (this.ended) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  private deliver(chunk: Uint8Array): void | Promise<void> {
    const pending = (this.consumer as ByteConsumer).data(chunk);
    if (!pending) return;
    const busy = pending.then(() => {
      this.busy = null;
      this.flushToConsumer();
    });
    this.busy = busy;
    return busy;
  }

  private flushToConsumer(): void {
    while (!this.busy && this.queue.length > 0) {
      const chunk = this.queue.shift() as Uint8Array;
      this.queuedBytes -= chunk.length;
      void this.deliver(chunk);
    }
    if (!this.busy) {
      this.releaseProducers();
      if (this.ended && this.queue.length === 0) this.deliverEnd();
    }
  }

  private deliverEnd(): void {
    if (this.endDelivered) return;
    this.endDelivered = true;
    (this.consumer as ByteConsumer).end(this.error);
  }

  private releaseProducers(): void {
    if (this.queuedBytes > this.highWaterBytes || this.drained.length === 0) return;
    for (const resolve of this.drained.splice(0)) resolve();
  }
}
