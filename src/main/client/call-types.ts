/** What a smart client sends and gets back. */
import type { BValue, MessageSummary, ProtocolVersion, ResponseStatus } from '../../shared/protocol';

/** A call argument: text is sent as UTF-8 bytes. */
export type CallArg = string | BValue;

/** A readv range: (start, length). */
export type ReadvRange = readonly [number, number];

export interface CallRequest {
  verb: string;
  args: readonly CallArg[];
  body?: Uint8Array;
  readv?: readonly ReadvRange[];
  /** v3 only: sent as one body part per chunk, as the chunks come. */
  bodyStream?: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

export interface ResponseHead {
  callId: string;
  protocol: ProtocolVersion;
  status: ResponseStatus;
  args: BValue[];
  /** v3 headers; null for v1/v2. */
  headers: Map<string, BValue> | null;
}

export interface CallResponse extends ResponseHead {
  /** All body parts joined; null when the response has no body. */
  body: Uint8Array | null;
  bodyParts: Uint8Array[];
  /** An error after (part of) a streamed body: v3 `oE`, v2 `ERR`. */
  postBodyError: BValue[] | null;
  summary: MessageSummary;
  durationMs: number;
}

export interface StreamedResponse extends ResponseHead {
  /** The body chunks as they arrive; drain it before the next call on the medium. */
  body: AsyncIterable<Uint8Array>;
  /** Resolves after the last body byte, with the post-body error when there was one. */
  done: Promise<{ postBodyError: BValue[] | null; summary: MessageSummary; durationMs: number }>;
}
