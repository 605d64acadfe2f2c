/**
 * Protocol v1 and v2 framing (protocol.py SmartServerRequestProtocolOne/Two,
 * SmartClientRequestProtocolOne/Two, LengthPrefixedBodyDecoder, ChunkedBodyDecoder):
 *   v1 message   = ARGS [BULK_BODY]
 *   v2 request   = "bzr request 2\n" ARGS [BULK_BODY]
 *   v2 response  = "bzr response 2\n" ("success" | "failed") "\n" ARGS [BULK_BODY | CHUNKED_BODY]
 *   ARGS         = field (0x01 field)* "\n"
 *   BULK_BODY    = DECIMAL "\n" BYTES "done\n"
 *   CHUNKED_BODY = "chunked\n" (HEX "\n" BYTES)* ["ERR\n" (HEX "\n" BYTES)*] "END\n"
 * Whether a body follows is not on the wire: it comes from the verb (see verbs.ts) and,
 * for responses, from success — as Breezy's client decides it.
 */
import type { BValue, ResponseStatus } from './types';
import { assertNever, protocolError } from './errors';
import {
  ARG_SEPARATOR, BULK_TRAILER, CHUNKED_END, CHUNKED_ERR, CHUNKED_HEADER, RESPONSE_VERSION_TWO, V1_ERROR_CODES,
  V1_GENERIC_ERROR, V2_FAILED, V2_SUCCESS,
} from './markers';
import { bytesEqual, type DecoderCore, type V12State } from './decoder-state';
import { verbInfo, type V2ResponseBody } from './verbs';
import { renderBytes } from './text';

export const V2_RESPONSE_MARKER: V12State = { family: 'v12', name: 'v2-response-marker' };
export const V12_ARGS: V12State = { family: 'v12', name: 'v12-args' };
const V2_STATUS: V12State = { family: 'v12', name: 'v2-status' };
const BULK_LENGTH: V12State = { family: 'v12', name: 'bulk-length' };
const BULK_TRAILER_STATE: V12State = { family: 'v12', name: 'bulk-trailer' };
const CHUNKED_HEADER_STATE: V12State = { family: 'v12', name: 'chunked-header' };
const CHUNK_LENGTH: V12State = { family: 'v12', name: 'chunk-length', errorArgs: null };

const RESPONSE_MARKER_LINE = RESPONSE_VERSION_TWO.subarray(0, RESPONSE_VERSION_TWO.length - 1);

function lineIs(line: Uint8Array, text: string): boolean {
  if (line.length !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (line[i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Advance one step; false when more bytes are needed. */
export function stepV12(d: DecoderCore, st: V12State): boolean {
  const input = d.input;
  switch (st.name) {
    case 'v2-response-marker': {
      const at = input.itemOffset;
      const line = input.readLine(d.limit, 'response marker');
      if (!line) return false;
      if (!bytesEqual(line, RESPONSE_MARKER_LINE)) throw protocolError('bad-marker', 'expected "bzr response 2"', at);
      d.state = V2_STATUS;
      return true;
    }
    case 'v2-status': {
      const at = input.itemOffset;
      const line = input.readLine(d.limit, 'status line');
      if (!line) return false;
      if (lineIs(line, V2_SUCCESS)) d.msg.setStatus('S');
      else if (lineIs(line, V2_FAILED)) d.msg.setStatus('E');
      else throw protocolError('bad-status', `bad v2 status line "${renderBytes(line)}"`, at);
      d.state = V12_ARGS;
      return true;
    }
    case 'v12-args': {
      const line = input.readLine(d.limit, 'argument line');
      if (!line) return false;
      acceptArgsLine(d, line);
      return true;
    }
    case 'bulk-length': {
      const at = input.itemOffset;
      const line = input.readLine(d.limit, 'body length line');
      if (!line) return false;
      const length = parseLength(line, 10, at);
      d.msg.bodyPartStart(length);
      if (length === 0) {
        d.msg.bodyPartEnd();
        d.state = BULK_TRAILER_STATE;
      } else {
        d.state = { family: 'v12', name: 'bulk-data', remaining: length };
      }
      return true;
    }
    case 'bulk-data':
    case 'chunk-data': {
      const data = input.readUpTo(st.remaining);
      if (data.length === 0) return false;
      st.remaining -= data.length;
      d.msg.bodyData(data);
      if (st.remaining === 0) {
        d.msg.bodyPartEnd();
        d.state = st.name === 'bulk-data' ? BULK_TRAILER_STATE : CHUNK_LENGTH;
      }
      return true;
    }
    case 'bulk-trailer': {
      const at = input.itemOffset;
      const trailer = input.readFixed(BULK_TRAILER.length);
      if (!trailer) return false;
      if (!bytesEqual(trailer, BULK_TRAILER)) throw protocolError('bad-marker', 'body not followed by "done"', at);
      d.finishMessage();
      return true;
    }
    case 'chunked-header': {
      const at = input.itemOffset;
      const line = input.readLine(d.limit, 'chunked body header');
      if (!line) return false;
      if (!lineIs(line, CHUNKED_HEADER)) throw protocolError('bad-marker', `bad chunked body header "${renderBytes(line)}"`, at);
      d.state = CHUNK_LENGTH;
      return true;
    }
    case 'chunk-length': {
      const at = input.itemOffset;
      const line = input.readLine(d.limit, 'chunk length line');
      if (!line) return false;
      if (lineIs(line, CHUNKED_END)) {
        if (st.errorArgs) d.msg.postBodyError(st.errorArgs);
        d.finishMessage();
      } else if (lineIs(line, CHUNKED_ERR)) {
        // Breezy starts a fresh error tuple at each ERR line.
        d.state = { family: 'v12', name: 'chunk-length', errorArgs: [] };
      } else {
        const length = parseLength(line, 16, at);
        if (st.errorArgs) {
          if (length > d.limit) throw protocolError('too-large', `error chunk of ${length} bytes exceeds the ${d.limit}-byte limit`, at);
          d.state = { family: 'v12', name: 'error-chunk', length, errorArgs: st.errorArgs };
        } else {
          d.msg.bodyPartStart(length);
          if (length === 0) d.msg.bodyPartEnd();
          else d.state = { family: 'v12', name: 'chunk-data', remaining: length };
        }
      }
      return true;
    }
    case 'error-chunk': {
      const bytes = input.readFixed(st.length);
      if (!bytes) return false;
      st.errorArgs.push(bytes.slice());
      d.state = { family: 'v12', name: 'chunk-length', errorArgs: st.errorArgs };
      return true;
    }
    default:
      return assertNever(st);
  }
}

/** The args line of a v1/v2 message (fields split on 0x01, as `_decode_tuple`); then its body framing. */
export function acceptArgsLine(d: DecoderCore, line: Uint8Array): void {
  const args: BValue[] = [];
  let from = 0;
  for (;;) {
    const sep = line.indexOf(ARG_SEPARATOR, from);
    if (sep === -1) {
      args.push(line.slice(from));
      break;
    }
    args.push(line.slice(from, sep));
    from = sep + 1;
  }
  const msg = d.msg;
  msg.setArgs(args);
  const framing =
    msg.kind === 'request'
      ? requestBody(args)
      : responseBody(msg.protocol === 1 ? null : msg.status, args, d.pairedVerb);
  switch (framing) {
    case 'none':
      d.finishMessage();
      return;
    case 'bulk':
      msg.setEncoding('bulk');
      d.state = BULK_LENGTH;
      return;
    case 'chunked':
      msg.setEncoding('chunked');
      d.state = CHUNKED_HEADER_STATE;
      return;
    default:
      assertNever(framing);
  }
}

function requestBody(args: BValue[]): V2ResponseBody {
  const verb = args[0] instanceof Uint8Array ? renderBytes(args[0]) : '';
  return verbInfo(verb)?.v2RequestBody ? 'bulk' : 'none';
}

/**
 * v2: a successful response carries what the verb's client reads; a failed one nothing.
 * v1 (status null): no status on the wire, so Breezy's client's list of error codes decides;
 * v1 servers drop streamed bodies.
 */
function responseBody(status: ResponseStatus | null, args: BValue[], verb: string): V2ResponseBody {
  const expected = verbInfo(verb)?.v2ResponseBody ?? 'none';
  if (status !== null) return status === 'S' ? expected : 'none';
  const first = args[0] instanceof Uint8Array ? renderBytes(args[0]) : '';
  if (V1_ERROR_CODES.has(first) || first === V1_GENERIC_ERROR) return 'none';
  return expected === 'bulk' ? 'bulk' : 'none';
}

function parseLength(line: Uint8Array, radix: 10 | 16, at: number): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    let digit: number;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (radix === 16 && c >= 0x61 && c <= 0x66) digit = c - 0x57;
    else if (radix === 16 && c >= 0x41 && c <= 0x46) digit = c - 0x37;
    else digit = -1;
    if (digit < 0 || i >= 15) {
      throw protocolError('bad-length', `bad ${radix === 10 ? 'body' : 'chunk'} length "${renderBytes(line.subarray(0, 32))}"`, at);
    }
    n = n * radix + digit;
  }
  if (line.length === 0) throw protocolError('bad-length', 'empty length line', at);
  return n;
}
