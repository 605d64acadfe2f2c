/**
 * Puts answers made here on the wire, in the call's protocol version (or the answer's own).
 * A whole answer is one buffer; the last one is kept, as a connection usually repeats the
 * same few calls and encoding was a measurable share of a `hello` round trip
 * (bench/hello.js) — the bytes are shared between calls, so nobody may change them.
 * A streamed body becomes pieces: v3 one body part per piece, v2 chunks, and a v1/v2
 * length-prefixed body its header, the pieces and the trailer, with no piece copied.
 */
import type { JsonObject } from '../../../shared/events';
import type { BValue, ProtocolVersion } from '../../../shared/protocol';
import {
  concatBytes, defaultHeaders, headersToJson,
  encodeBulkBodyHeader, encodeBulkBodyTrailer, encodeChunkedBodyEnd, encodeChunkedBodyStart, encodeChunkedError, encodeChunkHeader,
  encodeResponse, encodeV12Tuple, encodeV3BodyPartHeader, encodeV3End, encodeV3MessageStart, encodeV3Status, encodeV3Structure,
  RESPONSE_VERSION_TWO, verbInfo,
} from '../../../shared/protocol';
import { RawCapture } from '../../medium/wire-capture';
import { StreamedBodyError, type AnswerArg, type MessageAnswer, type StreamedBody } from './server-call';

/** The headers `encodeResponse` writes by default, as events show them. */
const DEFAULT_HEADERS_JSON = headersToJson(defaultHeaders()) as JsonObject;

const text = new TextEncoder();

function toBValue(arg: AnswerArg): BValue {
  return typeof arg === 'string' ? text.encode(arg) : arg;
}

export function answerArgs(args: readonly AnswerArg[]): BValue[] {
  return args.map(toBValue);
}

/** Thrown for an answer the protocol cannot carry (a bug in whoever made it). */
export class UnencodableAnswer extends Error {
  override readonly name = 'UnencodableAnswer';
}

/** A whole answer on the wire, and what its call's events show of it (made once per distinct answer). */
export interface EncodedAnswer {
  bytes: Buffer;
  args: BValue[];
  headers: JsonObject | null;
  raw: RawCapture;
}

export class AnswerEncoder {
  private last: { answer: MessageAnswer; protocol: ProtocolVersion; bytes: Buffer; wire: EncodedAnswer | null } | null = null;

  /**
   * A whole answer with what its events show: the bytes as `whole` gives them, the args as
   * bytes, the v3 headers our encoder wrote and the wire capture. For an answer that goes out
   * without passing the response tap (no policy shapes it); kept with the last answer.
   */
  encoded(answer: MessageAnswer, protocol: ProtocolVersion, verb: string): EncodedAnswer {
    const bytes = this.whole(answer, protocol, verb);
    const last = this.last;
    if (last && last.bytes === bytes && last.wire) return last.wire;
    const raw = new RawCapture();
    raw.add(bytes);
    raw.end(bytes.length);
    const wire = { bytes, args: answerArgs(answer.args), headers: protocol === 3 ? DEFAULT_HEADERS_JSON : null, raw };
    if (last && last.bytes === bytes) last.wire = wire;
    return wire;
  }

  /** A whole answer (no body, or a body in hand) as one buffer. */
  whole(answer: MessageAnswer, protocol: ProtocolVersion, verb: string): Buffer {
    const last = this.last;
    if (last && last.protocol === protocol && sameAnswer(last.answer, answer)) return last.bytes;
    const body = answer.body as Uint8Array | undefined;
    const framing = body ? bodyFraming(answer, protocol, verb) : 'none';
    const encoded = encodeResponse({
      protocol,
      status: answer.status,
      args: answerArgs(answer.args),
      ...(body && framing === 'chunked' ? { bodyStream: body.length > 0 ? [body] : [] } : body ? { body } : {}),
    });
    // A Buffer, so the socket write needs no view of its own each time.
    const bytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.length);
    if (!body) this.last = { answer: { ...answer, args: [...answer.args] }, protocol, bytes, wire: null };
    return bytes;
  }

  /** A streamed answer's bytes, piece by piece; a StreamedBodyError from the source ends it as Breezy ends one. */
  async *streamed(answer: MessageAnswer, protocol: ProtocolVersion, verb: string): AsyncGenerator<Uint8Array> {
    const body = answer.body as StreamedBody;
    const framing = bodyFraming(answer, protocol, verb);
    const args = answerArgs(answer.args);
    if (protocol === 3) {
      yield concatBytes([encodeV3MessageStart(), encodeV3Status(answer.status), encodeV3Structure(args)]);
      try {
        for await (const piece of body.pieces) {
          yield encodeV3BodyPartHeader(piece.length);
          yield piece;
        }
      } catch (err) {
        if (!(err instanceof StreamedBodyError)) throw err;
        yield concatBytes([encodeV3Status('E'), encodeV3Structure(answerArgs(err.args))]);
      }
      yield encodeV3End();
      return;
    }
    const head = concatBytes([...(protocol === 2 ? [RESPONSE_VERSION_TWO, text.encode(answer.status === 'S' ? 'success\n' : 'failed\n')] : []), encodeV12Tuple(args)]);
    yield head;
    if (framing === 'bulk') {
      // A length-prefixed body must be as long as it said: a source that fails or falls short ends the connection.
      if (body.length === undefined) throw new UnencodableAnswer(`${verb}: a v${protocol} length-prefixed body needs its length to stream`);
      yield encodeBulkBodyHeader(body.length);
      let sent = 0;
      for await (const piece of body.pieces) {
        sent += piece.length;
        yield piece;
      }
      if (sent !== body.length) throw new UnencodableAnswer(`${verb}: body was ${sent} bytes, announced ${body.length}`);
      yield encodeBulkBodyTrailer();
      return;
    }
    yield encodeChunkedBodyStart();
    try {
      for await (const piece of body.pieces) {
        if (piece.length === 0) continue;
        yield encodeChunkHeader(piece.length);
        yield piece;
      }
    } catch (err) {
      if (!(err instanceof StreamedBodyError)) throw err;
      yield encodeChunkedError(answerArgs(err.args));
    }
    yield encodeChunkedBodyEnd();
  }
}

/**
 * How a v1/v2 answer's body is framed: a decoder knows only from the verb (verbs.ts), so the
 * body must be what the verb's successful response carries. v3 frames any body itself.
 */
function bodyFraming(answer: MessageAnswer, protocol: ProtocolVersion, verb: string): 'v3' | 'bulk' | 'chunked' | 'none' {
  if (protocol === 3) return 'v3';
  const expected = answer.status === 'S' ? (verbInfo(verb)?.v2ResponseBody ?? 'none') : 'none';
  if (expected === 'none' || (expected === 'chunked' && protocol === 1)) {
    throw new UnencodableAnswer(`${verb}: a v${protocol} ${answer.status === 'S' ? 'success' : 'error'} answer to it cannot carry a body`);
  }
  return expected;
}


function sameAnswer(a: MessageAnswer, b: MessageAnswer): boolean {
  if (a.status !== b.status || a.args.length !== b.args.length || b.body) return false;
  for (let i = 0; i < a.args.length; i++) {
    const x = a.args[i];
    const y = b.args[i];
    if (x !== y && !(x instanceof Uint8Array && y instanceof Uint8Array && Buffer.compare(x, y) === 0)) return false;
  }
  return true;
}
