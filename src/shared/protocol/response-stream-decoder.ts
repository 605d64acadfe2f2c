/**
 * Decodes the server→client direction. A response's version and (v1/v2) whether a body
 * follows are not all on the wire: they come from the request it answers, so the owner
 * calls `expect(request)` once per request, in order. Response bytes that arrive before
 * their request is known wait (copied, bounded by the structure limit).
 */
import type { ExpectedResponse } from './types';
import { StreamDecoder } from './stream-decoder';
import { assertNever, protocolError } from './errors';
import { copyOf } from './bytes';
import { V3_MARKER } from './protocol-three-decoder';
import { V12_ARGS, V2_RESPONSE_MARKER } from './protocol-two-decoder';

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

  protected startMessage(): boolean {
    const input = this.input;
    if (input.available === 0) return false;
    if (this.head === this.expected.length) {
      this.hold(input.detachRest());
      return false;
    }
    const next = this.expected[this.head++];
    if (this.head >= 1024 && this.head * 2 >= this.expected.length) {
      this.expected = this.expected.slice(this.head);
      this.head = 0;
    }
    this.pairedVerb = next.verb;
    this.msg.begin('response', next.protocol, input.offset);
    switch (next.protocol) {
      case 3:
        this.state = V3_MARKER;
        return true;
      case 2:
        this.state = V2_RESPONSE_MARKER;
        return true;
      case 1:
        this.state = V12_ARGS;
        return true;
      default:
        return assertNever(next.protocol);
    }
  }

  private hold(chunk: Uint8Array): void {
    this.waitingBytes += chunk.length;
    if (this.waitingBytes > this.limit) {
      throw protocolError('unexpected-response', `${this.waitingBytes} bytes of response with no request to answer`, this.input.offset);
    }
    this.waiting.push(copyOf(chunk, 0, chunk.length));
  }
}
