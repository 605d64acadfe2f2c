/**
 * TCP reassembly: segments in capture order → each connection's two byte streams, in
 * order. Retransmitted and overlapping bytes are delivered once (the first copy wins);
 * segments ahead of the next expected byte wait until the hole fills; a hole that never
 * fills (the capture lost the segment), or bytes cut off at the snap length, become a
 * `gap` of a known length: nothing is guessed across it. A hole is known lost as soon as
 * the peer acknowledges bytes past it (it received what the capture missed).
 *
 * Bounded: at most MAX_OUT_OF_ORDER_BYTES wait per direction; past that the hole is
 * declared a gap and the stream goes on from the earliest waiting segment.
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpSegment } from './packet';

export const MAX_OUT_OF_ORDER_BYTES = 4 * 1024 * 1024;

/** Signed distance a − b in sequence space (wraps at 2^32). */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

interface Waiting {
  seq: number;
  bytes: Uint8Array;
  t: number;
}

export interface StreamSink {
  data(bytes: Uint8Array, t: number): void;
  gap(missing: number, t: number): void;
}

/** One direction of a connection. */
export class TcpDirection {
  private next: number | null = null;
  private waiting: Waiting[] = [];
  private waitingBytes = 0;
  /** Whether the stream's first byte was seen (its SYN was captured). */
  startSeen = false;
  finished = false;

  constructor(private readonly sink: StreamSink) {}

  segment(seg: TcpSegment, t: number): void {
    if (seg.flags & TCP_SYN) {
      if (this.next === null) {
        this.next = (seg.seq + 1) >>> 0;
        this.startSeen = true;
      }
      return;
    }
    const length = seg.payload.length + seg.cutBytes;
    if (seg.flags & TCP_FIN) this.finished = true;
    if (length === 0) return;
    if (this.next === null) this.next = seg.seq;
    const ahead = seqDiff(seg.seq, this.next);
    if (ahead > 0) {
      this.wait(seg, t);
      return;
    }
    this.take(seg.seq, seg.payload, seg.cutBytes, t);
    this.drain();
  }

  /**
   * The peer acknowledged every byte before `ack`: a hole before a waiting segment that it
   * covers was received, just not captured. (Only then: a capture may show an ACK before
   * the data it acknowledges, so an ACK alone proves nothing lost.)
   */
  acknowledged(ack: number, t: number): void {
    if (this.next === null) return;
    while (this.waiting.length > 0 && seqDiff(this.waiting[0].seq, ack) < 0) this.skipToWaiting(t);
  }

  /** The capture ended: every hole still open is a gap. */
  finish(t: number): void {
    while (this.waiting.length > 0) this.skipToWaiting(t);
  }

  private wait(seg: TcpSegment, t: number): void {
    if (seg.cutBytes > 0) return; // a cut segment ahead of a hole: its gap shows once the hole is declared
    if (this.waiting.some((w) => w.seq === seg.seq && w.bytes.length >= seg.payload.length)) return;
    this.waiting.push({ seq: seg.seq, bytes: new Uint8Array(seg.payload), t }); // a copy: the payload is a view of the caller's chunk
    this.waiting.sort((a, b) => seqDiff(a.seq, b.seq));
    this.waitingBytes += seg.payload.length;
    while (this.waitingBytes > MAX_OUT_OF_ORDER_BYTES) this.skipToWaiting(t);
  }

  /** Bytes from `seq` (at or before the next expected byte): the part not yet delivered goes on. */
  private take(seq: number, payload: Uint8Array, cutBytes: number, t: number): void {
    const next = this.next as number;
    const already = -seqDiff(seq, next);
    if (already < payload.length) this.sink.data(payload.subarray(already), t);
    const fresh = payload.length + cutBytes - already;
    if (fresh <= 0) return;
    const missing = Math.min(cutBytes, fresh);
    if (missing > 0) this.sink.gap(missing, t);
    this.next = (next + fresh) >>> 0;
  }

  private drain(): void {
    while (this.waiting.length > 0 && seqDiff(this.waiting[0].seq, this.next as number) <= 0) {
      const w = this.waiting.shift() as Waiting;
      this.waitingBytes -= w.bytes.length;
      this.take(w.seq, w.bytes, 0, w.t);
    }
  }

  private skipToWaiting(t: number): void {
    const first = this.waiting[0];
    const missing = seqDiff(first.seq, this.next as number);
    if (missing > 0) {
      this.sink.gap(missing, t);
      this.next = first.seq;
    }
    this.drain();
  }
}

export interface TcpConnection {
  /** Per-capture number, from 1. */
  index: number;
  /** The endpoint that sent the first segment seen, and the other. */
  a: string;
  b: string;
  /** Which endpoint opened the connection (sent the SYN), when the capture saw it. */
  opener: 'a' | 'b' | null;
  fromA: TcpDirection;
  fromB: TcpDirection;
  closed: boolean;
}

export interface ConnectionSink {
  opened(c: TcpConnection, t: number): void;
  data(c: TcpConnection, fromA: boolean, bytes: Uint8Array, t: number): void;
  gap(c: TcpConnection, fromA: boolean, missing: number, t: number): void;
  closed(c: TcpConnection, t: number, reason: string): void;
}

/** Every TCP connection of a capture, keyed by its two endpoints (a new SYN after a close starts a new one). */
export class TcpConnectionTable {
  private readonly live = new Map<string, TcpConnection>();
  private count = 0;

  constructor(private readonly sink: ConnectionSink) {}

  segment(seg: TcpSegment, t: number): void {
    const src = `${seg.src}:${seg.srcPort}`;
    const dst = `${seg.dst}:${seg.dstPort}`;
    const key = src < dst ? `${src} ${dst}` : `${dst} ${src}`;
    let c = this.live.get(key);
    const opening = (seg.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    if (c && opening && (c.closed || c.fromA.finished || c.fromB.finished)) {
      this.close(c, t, 'closed (the ports were reused)');
      c = undefined;
    }
    if (c?.closed) return; // the last ACKs after a close, or anything after a reset
    if (!c) {
      c = this.open(src, dst, t);
      this.live.set(key, c);
    }
    const fromA = c.a === src;
    if (opening && c.opener === null) c.opener = fromA ? 'a' : 'b';
    if ((seg.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK) && c.opener === null) c.opener = fromA ? 'b' : 'a';
    (fromA ? c.fromA : c.fromB).segment(seg, t);
    if (seg.flags & TCP_ACK) (fromA ? c.fromB : c.fromA).acknowledged(seg.ack, t);
    if (seg.flags & TCP_RST) this.close(c, t, 'reset');
    else if (c.fromA.finished && c.fromB.finished) this.close(c, t, 'closed');
  }

  /** The capture ended: connections still open end here. */
  finish(t: number): void {
    for (const c of this.live.values()) this.close(c, t, 'still open when the capture ended');
  }

  private open(a: string, b: string, t: number): TcpConnection {
    const c: TcpConnection = {
      index: ++this.count,
      a,
      b,
      opener: null,
      closed: false,
      fromA: new TcpDirection({ data: (bytes, at) => this.sink.data(c, true, bytes, at), gap: (n, at) => this.sink.gap(c, true, n, at) }),
      fromB: new TcpDirection({ data: (bytes, at) => this.sink.data(c, false, bytes, at), gap: (n, at) => this.sink.gap(c, false, n, at) }),
    };
    this.sink.opened(c, t);
    return c;
  }

  /** Closed connections stay in the table (so late ACKs open nothing) until a new SYN reuses their ports. */
  private close(c: TcpConnection, t: number, reason: string): void {
    if (c.closed) return;
    c.fromA.finish(t);
    c.fromB.finish(t);
    c.closed = true;
    this.sink.closed(c, t, reason);
  }
}
