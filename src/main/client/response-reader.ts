/**
 * Reads responses off one connection of a client medium: feeds a ResponseStreamDecoder and
 * turns its events into items a caller pulls (head, body chunks, end), so a streamed body is
 * read only as fast as it is consumed. One reader lives as long as the connection: bytes past
 * the end of a response stay in its decoder for the next one.
 *
 * While the protocol version is being negotiated, the first bytes are checked against the
 * expected version marker, so a server that answers in another version is found at once
 * instead of waiting for a marker's worth of bytes.
 */
import {
  HpssError, MESSAGE_VERSION_THREE, RESPONSE_VERSION_TWO, ResponseStreamDecoder, v1ResponseStatus,
  renderBytes, type BValue, type DecodeEvent, type MessageSummary, type ProtocolVersion, type ResponseStatus,
} from '../../shared/protocol';
import type { ClientMedium } from '../medium/client-medium';
import { RawStreamTap, type RawCapture } from '../medium/wire-capture';

export type ReaderItem =
  | { type: 'head'; status: ResponseStatus; args: BValue[]; headers: Map<string, BValue> | null }
  | { type: 'body'; data: Uint8Array }
  | { type: 'end'; summary: MessageSummary; postBodyError: BValue[] | null };

export class ResponseReader {
  readonly connection: number;
  private readonly decoder: ResponseStreamDecoder;
  private items: ReaderItem[] = [];
  private headers: Map<string, BValue> | null = null;
  private status: ResponseStatus | null = null;
  private postBodyError: BValue[] | null = null;
  private marker: MarkerCheck | null = null;
  /** Each response's first bytes, for the call's detail. */
  private readonly rawTap = new RawStreamTap();
  private fedBytes = 0;
  private raw: RawCapture | null = null;

  constructor(private readonly medium: ClientMedium) {
    this.connection = medium.connectionCount;
    this.decoder = new ResponseStreamDecoder((e) => this.onEvent(e));
  }

  /** The next request sent on this connection; `checkMarker` while negotiating the version. */
  expect(protocol: ProtocolVersion, verb: string, checkMarker: boolean): void {
    this.decoder.expect({ protocol, verb });
    const marker = checkMarker ? versionMarker(protocol) : null;
    this.marker = marker ? new MarkerCheck(marker) : null;
    this.raw = null;
  }

  /** The first bytes of the response to the last request expected, as far as they came. */
  get responseRaw(): RawCapture | null {
    return this.raw;
  }

  /** The next item, reading from the medium as needed. */
  async next(): Promise<ReaderItem> {
    for (;;) {
      const item = this.items.shift();
      if (item) return item;
      const chunk = await this.medium.read();
      if (!chunk) {
        const why = await this.medium.settledEndExplanation();
        throw new HpssError('transport', 'connection-reset', `Connection closed: the server closed the connection without answering${why ? `: ${why}` : ''}`);
      }
      if (this.marker?.accept(chunk)) this.marker = null;
      this.rawTap.chunk(chunk, this.fedBytes);
      this.fedBytes += chunk.length;
      this.decoder.feed(chunk);
    }
  }

  private onEvent(e: DecodeEvent): void {
    switch (e.type) {
      case 'message-start':
        this.raw = this.rawTap.start(e.offset);
        this.headers = null;
        this.status = null;
        this.postBodyError = null;
        return;
      case 'headers':
        this.headers = e.headers;
        return;
      case 'status':
        this.status = e.status;
        return;
      case 'args':
        this.items.push({ type: 'head', status: this.status ?? v1ResponseStatus(e.args), args: e.args, headers: this.headers });
        return;
      case 'body-data':
        this.items.push({ type: 'body', data: e.data.slice() });
        return;
      case 'post-body-error':
        this.postBodyError = e.args;
        return;
      case 'message-end':
        this.rawTap.end(e.offset + e.length);
        this.items.push({ type: 'end', summary: e.summary, postBodyError: this.postBodyError });
        return;
      case 'body-part-start':
      case 'body-part-end':
        return;
    }
  }
}

/**
 * Checks that a stream starts with a version marker, chunk by chunk: `accept` is true once the
 * whole marker has matched, throws `unexpected-version-marker` at the first byte that differs.
 */
export class MarkerCheck {
  private seen = 0;

  constructor(private readonly marker: Uint8Array) {}

  accept(chunk: Uint8Array): boolean {
    const n = Math.min(chunk.length, this.marker.length - this.seen);
    for (let i = 0; i < n; i++) {
      if (chunk[i] !== this.marker[this.seen + i]) {
        throw new HpssError('protocol', 'unexpected-version-marker', `Received bad protocol version marker: ${JSON.stringify(renderBytes(chunk.subarray(0, 40)))}`);
      }
    }
    this.seen += n;
    return this.seen === this.marker.length;
  }
}

function versionMarker(protocol: ProtocolVersion): Uint8Array | null {
  if (protocol === 3) return MESSAGE_VERSION_THREE;
  if (protocol === 2) return RESPONSE_VERSION_TWO;
  return null;
}

