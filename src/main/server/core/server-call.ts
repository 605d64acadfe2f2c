/**
 * The unit a server works in: one call as a backend sees it, and the answer it gives.
 * The connection core makes a `ServerCall` as soon as a request's verb is known (its body
 * may still be arriving) and hands it to the backend; calls of one connection arrive in
 * request order and their answers go back in that order, whatever order they are ready in.
 */
import type { VerbKind } from '../../../shared/events';
import { unknownMethodArgs, type BValue, type ProtocolVersion, type ResponseStatus } from '../../../shared/protocol';
import type { ByteStream } from './byte-stream';

/** State a backend keeps per client connection across its calls (lock tokens, an open repository). */
export type ConnectionState = Map<string, unknown>;

export interface ServerCall {
  /** The id its `call-started`/`call-finished` events carry ("c12"). */
  readonly callId: string;
  /** The request's protocol version (answers go out in it unless an answer says otherwise). */
  readonly protocol: ProtocolVersion;
  readonly verb: string;
  /** The arguments after the verb, as decoded: byte strings (v3 structures may also hold ints and lists). */
  readonly args: readonly BValue[];
  /** Breezy's kind of the verb (request.py), `unknown` when it is not a Breezy verb. */
  readonly verbKind: VerbKind;
  readonly vfs: boolean;
  /**
   * For a backend connection with `input: 'body'`: the request body's bytes in order (v3
   * body parts, a v2 chunked body, a v1/v2 length-prefixed body), ending with the request;
   * empty when it has none. For `input: 'wire'` it stays empty.
   */
  readonly body: ByteStream;
  /**
   * For a backend connection with `input: 'wire'` (a relay): the request exactly as the
   * client sent it, from its first byte to its last; empty otherwise.
   */
  readonly wire: ByteStream;
  /** The connection's state, shared by its calls, for the backend's own use. */
  readonly state: ConnectionState;
}

/** An answer argument: bytes, text (sent as UTF-8) or a bencodable value (v3 only). */
export type AnswerArg = BValue | string;

/** A response body streamed from its source: v3 one body part per piece, v2 one chunk per piece. */
export interface StreamedBody {
  /**
   * The body's bytes in order. A piece stays valid until the consumer asks for the second
   * piece after it (its source may then reuse the memory): the connection writes each piece
   * before asking for the next, and a medium's write of a whole piece resolves only once the
   * stream has taken it (server-medium.ts TAKEN_WRITE_BYTES). A consumer keeping pieces longer copies them.
   */
  pieces: AsyncIterable<Uint8Array>;
  /**
   * The total length when known. v1/v2 verbs whose success carries a length-prefixed body
   * (verbs.ts `bulk`) need it to stream; without it such a body is gathered first.
   */
  length?: number;
}

/**
 * Thrown by a streamed body's iterator after some pieces went out: the response ends with
 * this error (v3 `oE` + structure, v2 `ERR` chunks), as Breezy's body_stream errors do.
 */
export class StreamedBodyError extends Error {
  override readonly name = 'StreamedBodyError';
  constructor(readonly args: readonly AnswerArg[]) {
    super(`error in a streamed body: ${args.map(String).join(', ')}`);
  }
}

/** An answer made here: the core encodes it in the call's protocol version. */
export interface MessageAnswer {
  kind?: 'message';
  status: ResponseStatus;
  args: readonly AnswerArg[];
  body?: Uint8Array | StreamedBody;
  /** Answer in another version than the request's (an older server's "bad request"). */
  protocol?: ProtocolVersion;
}

/** A response another server made: its bytes exactly as sent, ending with its last byte. */
export interface RelayedAnswer {
  kind: 'relayed';
  bytes: ByteStream;
  /** The medium it came over (the relay's upstream), whose counts include this call. */
  via?: string;
  /** When the call met its peer, filled in by the relay as it goes (see `call-finished.peerMs`). */
  timing?: RelayTiming;
}

/** A relayed call's time with its peer (performance clock, ms). */
export interface RelayTiming {
  /** The upstream's set-up the call waited for: its own `connection-setup`, not the call's time. */
  setupWaitMs: number;
  /** The request's last byte handed to the upstream. */
  sentAt: number | null;
  /** The upstream's answer's last byte. */
  answeredAt: number | null;
}

export type Answer = MessageAnswer | RelayedAnswer;

export function isRelayed(answer: Answer): answer is RelayedAnswer {
  return answer.kind === 'relayed';
}

/** How a Breezy server answers a verb it does not know (protocol.py, message.py). */
export function unknownMethodAnswer(call: { protocol: ProtocolVersion; verb: string }): MessageAnswer {
  return { status: 'E', args: unknownMethodArgs(call.protocol, call.verb) };
}
