/**
 * Scratch buffers of finished sinks, taken by the next ones: allocating a fresh buffer per
 * sink was most of the cost of encoding a small message (several sinks each). A sink holds
 * its buffer alone from construction to finish(), so nested sinks never share one.
 */
const spare: Uint8Array[] = [];
const SPARE_MAX = 8;
const SPARE_BYTES_MAX = 64 * 1024;
const EMPTY = new Uint8Array(0);

/** A growable byte buffer for encoders. */
export class ByteSink {
  private buf = spare.pop() ?? new Uint8Array(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = Math.max(256, this.buf.length * 2);
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  ascii(text: string): void {
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.len++] = text.charCodeAt(i);
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  uint32(n: number): void {
    this.reserve(4);
    this.buf[this.len++] = (n >>> 24) & 0xff;
    this.buf[this.len++] = (n >>> 16) & 0xff;
    this.buf[this.len++] = (n >>> 8) & 0xff;
    this.buf[this.len++] = n & 0xff;
  }

  /** The bytes written, copied out; the sink starts empty again (its scratch goes back). */
  finish(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    if (spare.length < SPARE_MAX && this.buf.length <= SPARE_BYTES_MAX) spare.push(this.buf);
    this.buf = EMPTY;
    this.len = 0;
    return out;
  }
}
