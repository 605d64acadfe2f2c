/**
 * Decodes the server→client direction. A response's version and (v1/v2) whether a body
 * follows are not all on the wire: they come from the request it answers, so the owner
 * calls `expect(request)` once per request, in order. Response bytes that arrive before
 * their request is known wait (copied, bounded by the structure limit).
 *
 * The first line says which version the server really spoke: the expected marker, or for
 * a v2/v3 request an old server's v1 `error` line (a v1-only server reads the marker as an
 * unknown verb and answers "bad request"; Breezy's client then retries with an older
 * version). That line is decoded as the v1 response it is; anything else is `bad-marker`.
 */
import type { ExpectedResponse, ProtocolVersion } from './types';
import { StreamDecoder } from './stream-decoder';
import { assertNever, protocolError } from './errors';
import { copyOf } from './bytes';
import { MESSAGE_VERSION_THREE, MESSAGE_VERSION_THREE_LINE, RESPONSE_VERSION_TWO_LINE } from './markers';
import { V3_HEADERS_LENGTH } from './protocol-three-decoder';
import { acceptArgsLine, V2_STATUS } from './protocol-two-decoder';
import { utf8Bytes } from './text';

const OLD_SERVER_ERROR = utf8Bytes('error\x01');

/** Whether `bytes` can still become a line starting with `prefix` (or already does). */
function couldStartWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  const n = Math.min(bytes.length, prefix.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

export class ResponseStreamDecoder extends StreamDecoder {
  /** Requests not yet answered, from `head` on (an index, not shift(): O(1) per response). */
  private expected: ExpectedResponse[] = [];
  private head = 0;
  private waiting: Uint8Array[] = [];
  private waitingBytes = 0;

  /** The next request on this connection (in order): its response is decoded accordingly. */
  expect(request: ExpectedResponse): void {
    this.expected.push(request);
    if (this.waiting.length === 0) return;
    const held = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    for (const chunk of held) this.feed(chunk);
  }

  override get offset(): number {
    return super.offset + this.waitingBytes;
  }

  /** Requests whose responses have not started yet. */
  get pendingRequests(): number {
    return this.expected.length - this.head;
  }

  override feed(chunk: Uint8Array): void {
    if (this.waiting.length === 0) {
      super.feed(chunk);
      return;
    }
    try {
      this.hold(chunk);
    } catch (err) {
      this.fail(err);
    }
  }

  override finish(): void {
    if (this.waitingBytes > 0) {
      this.fail(protocolError('unexpected-response', `${this.waitingBytes} bytes of response with no request to answer`, this.input.offset));
    }
    super.finish();
  }

  /** Reads the response's first line, then begins the message in the version it shows. */
  protected startMessage(): boolean {
    const input = this.input;
    if (input.available === 0) return false;
    if (this.head === this.expected.length) {
      this.hold(input.detachRest());
      return false;
    }
    const next = this.expected[this.head];
    const at = input.itemOffset;
    if (next.protocol === 3 && input.skipIfNext(MESSAGE_VERSION_THREE)) {
      this.take(next);
      this.msg.begin('response', 3, at);
      this.state = V3_HEADERS_LENGTH;
      return true;
    }
    if (!input.readLine(this.limit, 'response line')) {
      if (next.protocol !== 1) this.checkMarkerPrefix(next.protocol, input.partialItem, at);
      return false;
    }
    this.take(next);
    switch (next.protocol) {
      case 3:
      case 2: {
        if (input.gotEquals(next.protocol === 3 ? MESSAGE_VERSION_THREE_LINE : RESPONSE_VERSION_TWO_LINE)) {
          this.msg.begin('response', next.protocol, at);
          this.state = next.protocol === 3 ? V3_HEADERS_LENGTH : V2_STATUS;
          return true;
        }
        const line = copyOf(input.got, input.gotStart, input.gotEnd);
        if (!couldStartWith(line, OLD_SERVER_ERROR) || line.length < OLD_SERVER_ERROR.length) {
          throw this.badMarker(next.protocol, at);
        }
        this.msg.begin('response', 1, at);
        acceptArgsLine(this);
        return true;
      }
      case 1:
        this.msg.begin('response', 1, at);
        acceptArgsLine(this);
        return true;
      default:
        return assertNever(next.protocol);
    }
  }

  /** The response to `next` has begun. */
  private take(next: ExpectedResponse): void {
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.expected.length) {
      this.expected = this.expected.slice(this.head);
      this.head = 0;
    }
    this.pairedVerb = next.verb;
  }

  /** Fail as soon as a partial first line can no longer be the marker or an old server's error. */
  private checkMarkerPrefix(protocol: ProtocolVersion, partial: Uint8Array, at: number): void {
    const marker = protocol === 3 ? MESSAGE_VERSION_THREE_LINE : RESPONSE_VERSION_TWO_LINE;
    if (!couldStartWith(partial, marker) && !couldStartWith(partial, OLD_SERVER_ERROR)) throw this.badMarker(protocol, at);
  }

  private badMarker(protocol: ProtocolVersion, at: number): Error {
    return protocolError('bad-marker', protocol === 3 ? 'expected the protocol v3 marker' : 'expected "bzr response 2"', at);
  }

  private hold(chunk: Uint8Array): void {
    this.waitingBytes += chunk.length;
    if (this.waitingBytes > this.limit) {
      throw protocolError('unexpected-response', `${this.waitingBytes} bytes of response with no request to answer`, this.input.offset);
    }
    this.waiting.push(copyOf(chunk, 0, chunk.length));
  }
}
