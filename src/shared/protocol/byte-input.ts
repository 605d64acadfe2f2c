/**
 * The decoder's view of its input: the chunk being fed plus a small scratch buffer for the
 * one item (marker, length prefix, line, structure) that straddles chunk boundaries.
 *
 * Invariants: body bytes never pass through the scratch buffer; the scratch holds at most
 * one item, bounded by the caller's limit; `base + pos` is the stream offset of the next
 * unread byte. A completed item is described by `got`/`gotStart`/`gotEnd` (no view is made:
 * small messages are dominated by typed-array allocations) and is valid until the next read.
 */
import { protocolError } from './errors';
import { view } from './bytes';

const EMPTY = new Uint8Array(0);

export class ByteInput {
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private scratch = new Uint8Array(64);
  private scratchLen = 0;
  /** Stream offset where the item in scratch began. */
  private itemStart = 0;

  /** The last completed item: got[gotStart, gotEnd). */
  got: Uint8Array = EMPTY;
  gotStart = 0;
  gotEnd = 0;

  /** Stream offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  get available(): number {
    return this.buf.length - this.pos;
  }

  /** True while part of an item is held over from an earlier chunk. */
  get holdsPartialItem(): boolean {
    return this.scratchLen > 0;
  }

  /** The bytes of the item held over so far (a view; valid until the next read). */
  get partialItem(): Uint8Array {
    return view(this.scratch, 0, this.scratchLen);
  }

  /** Stream offset where the current partial item began (or the next byte). */
  get itemOffset(): number {
    return this.scratchLen > 0 ? this.itemStart : this.base + this.pos;
  }

  /** Start reading a new chunk; the previous one must be used up or detached. */
  push(chunk: Uint8Array): void {
    this.base += this.pos;
    this.buf = chunk;
    this.pos = 0;
  }

  /** Hand back the unread rest of the chunk, to be pushed again later (offsets stay right). */
  detachRest(): Uint8Array {
    const rest = view(this.buf, this.pos, this.buf.length);
    this.buf = view(this.buf, 0, this.pos);
    return rest;
  }

  /** One byte, or -1 when the chunk is used up. */
  readByte(): number {
    return this.pos < this.buf.length ? this.buf[this.pos++] : -1;
  }

  /** Up to `max` bytes as a view into the chunk (body data: never copied). */
  readUpTo(max: number): Uint8Array {
    const n = Math.min(max, this.buf.length - this.pos);
    const out = n === this.buf.length ? this.buf : view(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Exactly `n` bytes into `got`, or false (bytes kept) until they have all arrived. */
  readFixed(n: number): boolean {
    const avail = this.buf.length - this.pos;
    if (this.scratchLen === 0 && avail >= n) {
      this.setGot(this.buf, this.pos, this.pos + n);
      this.pos += n;
      return true;
    }
    const take = Math.min(n - this.scratchLen, avail);
    this.keep(this.pos, take);
    this.pos += take;
    if (this.scratchLen < n) return false;
    this.releaseScratch();
    return true;
  }

  /**
   * Consume `bytes` if the chunk holds them next, whole (the fast path for a version
   * marker); otherwise consume nothing.
   */
  skipIfNext(bytes: Uint8Array): boolean {
    const buf = this.buf;
    const p = this.pos;
    if (this.scratchLen !== 0 || buf.length - p < bytes.length) return false;
    for (let i = 0; i < bytes.length; i++) if (buf[p + i] !== bytes[i]) return false;
    this.pos = p + bytes.length;
    return true;
  }

  /** A big-endian uint32, or -1 until its 4 bytes have arrived. */
  readUint32(): number {
    if (!this.readFixed(4)) return -1;
    const b = this.got;
    const i = this.gotStart;
    return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  }

  /** Whether `got` holds exactly these bytes. */
  gotEquals(bytes: Uint8Array): boolean {
    if (this.gotEnd - this.gotStart !== bytes.length) return false;
    const got = this.got;
    for (let i = 0, j = this.gotStart; i < bytes.length; i++, j++) if (got[j] !== bytes[i]) return false;
    return true;
  }

  /**
   * A line without its "\n" into `got`, or false until the newline has arrived. A line
   * longer than `limit` bytes is a `too-large` error at the line's first byte.
   */
  readLine(limit: number, what: string): boolean {
    const buf = this.buf;
    const nl = buf.indexOf(0x0a, this.pos);
    const stop = nl === -1 ? buf.length : nl;
    if (this.scratchLen + (stop - this.pos) > limit) {
      throw protocolError('too-large', `${what} longer than ${limit} bytes`, this.itemOffset);
    }
    if (nl === -1) {
      this.keep(this.pos, stop - this.pos);
      this.pos = stop;
      return false;
    }
    if (this.scratchLen === 0) {
      this.setGot(buf, this.pos, nl);
    } else {
      this.keep(this.pos, nl - this.pos);
      this.releaseScratch();
    }
    this.pos = nl + 1;
    return true;
  }

  private setGot(buf: Uint8Array, start: number, end: number): void {
    this.got = buf;
    this.gotStart = start;
    this.gotEnd = end;
  }

  private keep(from: number, n: number): void {
    if (this.scratchLen === 0) this.itemStart = this.base + from;
    if (n === 0) return;
    const need = this.scratchLen + n;
    if (need > this.scratch.length) {
      let size = this.scratch.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(view(this.scratch, 0, this.scratchLen));
      this.scratch = grown;
    }
    this.scratch.set(view(this.buf, from, from + n), this.scratchLen);
    this.scratchLen = need;
  }

  private releaseScratch(): void {
    this.setGot(this.scratch, 0, this.scratchLen);
    this.scratchLen = 0;
    // Don't let one huge structure pin a huge scratch buffer for the connection's life
    // (`got` keeps the old one alive until the next read).
    if (this.scratch.length > 1 << 20) this.scratch = new Uint8Array(64);
  }
}
