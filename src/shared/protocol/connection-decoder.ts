/**
 * Both directions of one connection: requests are decoded as they come, and each request's
 * version and verb are handed to the response decoder when the request has ended, so
 * response i is decoded as the answer to request i (as Breezy's client reads it) and its
 * events never precede the end of its request (earlier response bytes wait).
 */
import type { DecodeEvent, DecoderOptions, ProtocolVersion } from './types';
import { RequestStreamDecoder } from './request-stream-decoder';
import { ResponseStreamDecoder } from './response-stream-decoder';
import { verbOf } from './render';

export type Direction = 'c2s' | 's2c';

export class ConnectionDecoder {
  readonly requests: RequestStreamDecoder;
  readonly responses: ResponseStreamDecoder;
  private requestProtocol: ProtocolVersion = 3;
  private requestVerb = '';

  constructor(onEvent: (dir: Direction, event: DecodeEvent) => void, opts: DecoderOptions = {}) {
    this.responses = new ResponseStreamDecoder((e) => onEvent('s2c', e), opts);
    this.requests = new RequestStreamDecoder((e) => {
      if (e.type === 'message-start') this.requestProtocol = e.protocol;
      else if (e.type === 'args') this.requestVerb = verbOf(e.args);
      onEvent('c2s', e);
      if (e.type === 'message-end') this.responses.expect({ protocol: this.requestProtocol, verb: this.requestVerb });
    }, opts);
  }

  feedRequestBytes(chunk: Uint8Array): void {
    this.requests.feed(chunk);
  }

  feedResponseBytes(chunk: Uint8Array): void {
    this.responses.feed(chunk);
  }

  /** Both streams ended: throws `truncated` if either ended inside a message (requests checked first). */
  finish(): void {
    this.requests.finish();
    this.responses.finish();
  }
}
