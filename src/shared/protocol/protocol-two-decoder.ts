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
  ARG_SEPARATOR, BULK_TRAILER, CHUNKED_END, CHUNKED_ERR, CHUNKED_HEADER, V1_ERROR_CODES,
  V1_GENERIC_ERROR, V2_FAILED, V2_SUCCESS,
} from './markers';
import type { DecoderCore, V12State } from './decoder-state';
import { enterBodyPart, streamBodyBytes } from './body-part';
import { copyOf, view } from './bytes';
import type { ByteInput } from './byte-input';
import { verbInfo, type BodyFraming } from './verbs';
import { renderBytes } from './text';

export const V12_ARGS: V12State = { family: 'v12', name: 'v12-args' };
export const V2_STATUS: V12State = { family: 'v12', name: 'v2-status' };
const BULK_LENGTH: V12State = { family: 'v12', name: 'bulk-length' };
const BULK_TRAILER_STATE: V12State = { family: 'v12', name: 'bulk-trailer' };
const CHUNKED_HEADER_STATE: V12State = { family: 'v12', name: 'chunked-header' };
const CHUNK_LENGTH: V12State = { family: 'v12', name: 'chunk-length', errorArgs: null };

/** Whether the line just read is exactly `text` (ASCII). */
function lineIs(input: ByteInput, text: string): boolean {
  const { got, gotStart, gotEnd } = input;
  if (gotEnd - gotStart !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (got[gotStart + i] !== text.charCodeAt(i)) return false;
  return true;
}

function lineText(input: ByteInput): string {
  return renderBytes(view(input.got, input.gotStart, Math.min(input.gotEnd, input.gotStart + 32)));
}

/** Advance one step; false when more bytes are needed. */
export function stepV12(d: DecoderCore, st: V12State): boolean {
  const input = d.input;
  switch (st.name) {
    case 'v2-status': {
      const at = input.itemOffset;
      if (!input.readLine(d.limit, 'status line')) return false;
      if (lineIs(input, V2_SUCCESS)) d.msg.setStatus('S');
      else if (lineIs(input, V2_FAILED)) d.msg.setStatus('E');
      else throw protocolError('bad-status', `bad v2 status line "${lineText(input)}"`, at);
      d.state = V12_ARGS;
      return true;
    }
    case 'v12-args': {
      if (!input.readLine(d.limit, 'argument line')) return false;
      acceptArgsLine(d);
      return true;
    }
    case 'bulk-length': {
      const at = input.itemOffset;
      if (!input.readLine(d.limit, 'body length line')) return false;
      const length = parseLength(input, 10, at);
      d.msg.bodyPartStart(length);
      enterBodyPart(d, length, BULK_TRAILER_STATE, { family: 'v12', name: 'bulk-data', remaining: length });
      return true;
    }
    case 'bulk-data':
      return streamBodyBytes(d, st, BULK_TRAILER_STATE);
    case 'chunk-data':
      return streamBodyBytes(d, st, CHUNK_LENGTH);
    case 'bulk-trailer': {
      const at = input.itemOffset;
      if (!input.readFixed(BULK_TRAILER.length)) return false;
      if (!input.gotEquals(BULK_TRAILER)) throw protocolError('bad-marker', 'body not followed by "done"', at);
      d.finishMessage();
      return true;
    }
    case 'chunked-header': {
      const at = input.itemOffset;
      if (!input.readLine(d.limit, 'chunked body header')) return false;
      if (!lineIs(input, CHUNKED_HEADER)) throw protocolError('bad-marker', `bad chunked body header "${lineText(input)}"`, at);
      d.state = CHUNK_LENGTH;
      return true;
    }
    case 'chunk-length': {
      const at = input.itemOffset;
      if (!input.readLine(d.limit, 'chunk length line')) return false;
      if (lineIs(input, CHUNKED_END)) {
        if (st.errorArgs) d.msg.postBodyError(st.errorArgs);
        d.finishMessage();
      } else if (lineIs(input, CHUNKED_ERR)) {
        // Breezy starts a fresh error tuple at each ERR line.
        d.state = { family: 'v12', name: 'chunk-length', errorArgs: [] };
      } else {
        const length = parseLength(input, 16, at);
        if (st.errorArgs) {
          if (length > d.limit) throw protocolError('too-large', `error chunk of ${length} bytes exceeds the ${d.limit}-byte limit`, at);
          d.state = { family: 'v12', name: 'error-chunk', length, errorArgs: st.errorArgs };
        } else {
          d.msg.bodyPartStart(length);
          enterBodyPart(d, length, CHUNK_LENGTH, { family: 'v12', name: 'chunk-data', remaining: length });
        }
      }
      return true;
    }
    case 'error-chunk': {
      if (!input.readFixed(st.length)) return false;
      st.errorArgs.push(copyOf(input.got, input.gotStart, input.gotEnd));
      d.state = { family: 'v12', name: 'chunk-length', errorArgs: st.errorArgs };
      return true;
    }
    default:
      return assertNever(st);
  }
}

/**
 * The args line just read (`d.input.got`) of a v1/v2 message: fields split on 0x01, as
 * `_decode_tuple` does; then its body framing.
 */
export function acceptArgsLine(d: DecoderCore): void {
  const { got, gotStart, gotEnd } = d.input;
  const args: BValue[] = [];
  let from = gotStart;
  for (let i = gotStart; i < gotEnd; i++) {
    if (got[i] === ARG_SEPARATOR) {
      args.push(copyOf(got, from, i));
      from = i + 1;
    }
  }
  args.push(copyOf(got, from, gotEnd));
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

function requestBody(args: BValue[]): BodyFraming {
  const verb = args[0] instanceof Uint8Array ? renderBytes(args[0]) : '';
  return verbInfo(verb)?.v2RequestBody ? 'bulk' : 'none';
}

/**
 * v2: a successful response carries what the verb's client reads; a failed one nothing.
 * v1 (status null): no status on the wire, so Breezy's client's list of error codes decides;
 * v1 servers drop streamed bodies.
 */
function responseBody(status: ResponseStatus | null, args: BValue[], verb: string): BodyFraming {
  const expected = verbInfo(verb)?.v2ResponseBody ?? 'none';
  if (status !== null) return status === 'S' ? expected : 'none';
  const first = args[0] instanceof Uint8Array ? renderBytes(args[0]) : '';
  if (V1_ERROR_CODES.has(first) || first === V1_GENERIC_ERROR) return 'none';
  return expected === 'bulk' ? 'bulk' : 'none';
}

function parseLength(input: ByteInput, radix: 10 | 16, at: number): number {
  const { got, gotStart, gotEnd } = input;
  let n = 0;
  for (let i = gotStart; i < gotEnd; i++) {
    const c = got[i];
    let digit: number;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (radix === 16 && c >= 0x61 && c <= 0x66) digit = c - 0x57;
    else if (radix === 16 && c >= 0x41 && c <= 0x46) digit = c - 0x37;
    else digit = -1;
    if (digit < 0 || i - gotStart >= 15) {
      throw protocolError('bad-length', `bad ${radix === 10 ? 'body' : 'chunk'} length "${lineText(input)}"`, at);
    }
    n = n * radix + digit;
  }
  if (gotEnd === gotStart) throw protocolError('bad-length', 'empty length line', at);
  return n;
}
