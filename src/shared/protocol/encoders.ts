/** Whole-message encoders over the v1/v2 and v3 pieces. */
import type { BValue, ProtocolVersion, ResponseStatus } from './types';
import { ByteSink } from './byte-sink';
import { HpssError } from './errors';
import { REQUEST_VERSION_TWO, RESPONSE_VERSION_TWO, V2_FAILED, V2_SUCCESS } from './markers';
import { encodeV3BodyPart, encodeV3End, encodeV3MessageStart, encodeV3Status, encodeV3Structure } from './encode-v3';
import {
  encodeBulkBodyHeader, encodeBulkBodyTrailer, encodeChunkedBodyEnd, encodeChunkedBodyStart, encodeChunkedError,
  encodeChunkHeader, encodeV12Tuple,
} from './encode-v12';

export interface RequestToEncode {
  protocol: ProtocolVersion;
  /** Verb first. */
  args: BValue[];
  /** v3 only; default `{"Software version": "3.3.2"}`. */
  headers?: Map<string, BValue>;
  /** One body part (v1/v2: a length-prefixed body). */
  body?: Uint8Array;
  /** v3 only: a streamed body, one part per chunk. */
  bodyStream?: Uint8Array[];
}

export interface ResponseToEncode {
  protocol: ProtocolVersion;
  status: ResponseStatus;
  args: BValue[];
  headers?: Map<string, BValue>;
  body?: Uint8Array;
  /** v3: one `b` part per chunk; v2: a chunked body. */
  bodyStream?: Uint8Array[];
  /** An error after (part of) the streamed body: v3 `oE s`, v2 `ERR` chunks. */
  postBodyError?: BValue[];
}

function unsupported(what: string): HpssError {
  return new HpssError('protocol', 'unsupported', what, { fatal: false });
}

export function encodeRequest(req: RequestToEncode): Uint8Array {
  if (req.body && req.bodyStream) throw unsupported('a request has either a body or a body stream');
  const out = new ByteSink();
  if (req.protocol === 3) {
    out.bytes(encodeV3MessageStart(req.headers));
    out.bytes(encodeV3Structure(req.args));
    if (req.body) out.bytes(encodeV3BodyPart(req.body));
    for (const chunk of req.bodyStream ?? []) out.bytes(encodeV3BodyPart(chunk));
    out.bytes(encodeV3End());
    return out.finish();
  }
  if (req.bodyStream) throw unsupported(`protocol v${req.protocol} requests cannot stream a body`);
  if (req.protocol === 2) out.bytes(REQUEST_VERSION_TWO);
  out.bytes(encodeV12Tuple(req.args));
  if (req.body) writeBulk(out, req.body);
  return out.finish();
}

export function encodeResponse(res: ResponseToEncode): Uint8Array {
  if (res.body && res.bodyStream) throw unsupported('a response has either a body or a body stream');
  const out = new ByteSink();
  if (res.protocol === 3) {
    out.bytes(encodeV3MessageStart(res.headers));
    out.bytes(encodeV3Status(res.status));
    out.bytes(encodeV3Structure(res.args));
    if (res.body) out.bytes(encodeV3BodyPart(res.body));
    for (const chunk of res.bodyStream ?? []) out.bytes(encodeV3BodyPart(chunk));
    if (res.postBodyError) {
      out.bytes(encodeV3Status('E'));
      out.bytes(encodeV3Structure(res.postBodyError));
    }
    out.bytes(encodeV3End());
    return out.finish();
  }
  if (res.protocol === 2) {
    out.bytes(RESPONSE_VERSION_TWO);
    out.ascii(`${res.status === 'S' ? V2_SUCCESS : V2_FAILED}\n`);
  } else if (res.bodyStream || res.postBodyError) {
    throw unsupported('protocol v1 responses cannot stream a body');
  }
  out.bytes(encodeV12Tuple(res.args));
  if (res.body) writeBulk(out, res.body);
  if (res.bodyStream || res.postBodyError) {
    out.bytes(encodeChunkedBodyStart());
    for (const chunk of res.bodyStream ?? []) {
      out.bytes(encodeChunkHeader(chunk.length));
      out.bytes(chunk);
    }
    if (res.postBodyError) out.bytes(encodeChunkedError(res.postBodyError));
    out.bytes(encodeChunkedBodyEnd());
  }
  return out.finish();
}

function writeBulk(out: ByteSink, body: Uint8Array): void {
  out.bytes(encodeBulkBodyHeader(body.length));
  out.bytes(body);
  out.bytes(encodeBulkBodyTrailer());
}
