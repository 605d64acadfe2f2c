/**
 * Protocol v3 message framing (protocol.py ProtocolThreeDecoder) and the conventional
 * request/response layout checks (message.py):
 *   MESSAGE  = "bzr message 3 (bzr 1.6)\n" UINT32_BE HEADERS_DICT PART* "e"
 *   PART     = "o" STATUS_BYTE | "s" UINT32_BE BENCODED_LIST | "b" UINT32_BE BYTES
 *   request  = s(verb, args…) b* [oS | oE s(error)] e
 *   response = oS|oE s(args) b* [oE s(error)] e
 * Body parts are streamed: `b` bytes go out as views as they arrive.
 */
import type { BValue } from './types';
import { bdecodeRange } from './bencode';
import { assertNever, protocolError } from './errors';
import {
  PART_BYTES, PART_END, PART_ONE_BYTE, PART_STRUCTURE, STATUS_ERROR, STATUS_SUCCESS,
} from './markers';
import type { DecoderCore, V3State } from './decoder-state';
import { enterBodyPart, streamBodyBytes } from './body-part';

const PART_KIND: V3State = { family: 'v3', name: 'v3-part-kind' };
const ONE_BYTE: V3State = { family: 'v3', name: 'v3-one-byte' };
const STRUCTURE_LENGTH: V3State = { family: 'v3', name: 'v3-structure-length' };
const BODY_LENGTH: V3State = { family: 'v3', name: 'v3-body-length' };
export const V3_HEADERS_LENGTH: V3State = { family: 'v3', name: 'v3-headers-length' };

/** Advance one step; false when more bytes are needed. */
export function stepV3(d: DecoderCore, st: V3State): boolean {
  const input = d.input;
  switch (st.name) {
    case 'v3-headers-length':
    case 'v3-structure-length': {
      const at = input.itemOffset;
      const length = input.readUint32();
      if (length === -1) return false;
      const what = st.name === 'v3-headers-length' ? 'headers' : 'structure';
      if (length > d.limit) throw protocolError('too-large', `${what} of ${length} bytes exceeds the ${d.limit}-byte limit`, at);
      d.state = st.name === 'v3-headers-length'
        ? { family: 'v3', name: 'v3-headers', length }
        : { family: 'v3', name: 'v3-structure', length };
      return true;
    }
    case 'v3-headers': {
      const at = input.itemOffset;
      if (!input.readFixed(st.length)) return false;
      d.msg.setHeaders(d.headerCache.decode(input, at));
      d.state = PART_KIND;
      return true;
    }
    case 'v3-part-kind': {
      const kind = input.readByte();
      if (kind === -1) return false;
      switch (kind) {
        case PART_ONE_BYTE:
          d.state = ONE_BYTE;
          return true;
        case PART_STRUCTURE:
          d.state = STRUCTURE_LENGTH;
          return true;
        case PART_BYTES:
          d.state = BODY_LENGTH;
          return true;
        case PART_END:
          endPart(d, input.offset - 1);
          return true;
        default:
          throw protocolError('bad-part', `bad message part kind byte 0x${kind.toString(16)}`, input.offset - 1);
      }
    }
    case 'v3-one-byte': {
      const byte = input.readByte();
      if (byte === -1) return false;
      statusPart(d, byte, input.offset - 1);
      d.state = PART_KIND;
      return true;
    }
    case 'v3-structure': {
      const at = input.itemOffset;
      if (!input.readFixed(st.length)) return false;
      const value = bdecodeRange(input.got, input.gotStart, input.gotEnd, { baseOffset: at });
      if (!Array.isArray(value)) throw protocolError('bad-part', 'structure part is not a list', at);
      structurePart(d, value, at);
      d.state = PART_KIND;
      return true;
    }
    case 'v3-body-length': {
      const at = input.itemOffset;
      const length = input.readUint32();
      if (length === -1) return false;
      bodyPartStart(d, length, at - 1);
      enterBodyPart(d, length, PART_KIND, { family: 'v3', name: 'v3-body', remaining: length });
      return true;
    }
    case 'v3-body':
      return streamBodyBytes(d, st, PART_KIND);
    default:
      return assertNever(st);
  }
}

function statusPart(d: DecoderCore, byte: number, at: number): void {
  const msg = d.msg;
  if (byte !== STATUS_SUCCESS && byte !== STATUS_ERROR) {
    throw protocolError('bad-status', `unknown status byte 0x${byte.toString(16)}`, at);
  }
  const status = byte === STATUS_SUCCESS ? 'S' : 'E';
  msg.parts?.push(`o:${status}`);
  if (!msg.inBody) {
    if (msg.kind === 'request') throw protocolError('bad-part', 'status byte before the request arguments', at);
    if (msg.status !== null) throw protocolError('bad-part', 'second status byte', at);
    msg.setStatus(status);
  } else {
    if (msg.postBodyStatus !== null) throw protocolError('bad-part', 'second status byte after the body', at);
    msg.postBodyStatus = status;
  }
}

function structurePart(d: DecoderCore, value: BValue[], at: number): void {
  const msg = d.msg;
  msg.parts?.push('s');
  if (!msg.inBody) {
    if (msg.args !== null) throw protocolError('bad-part', 'second structure before the body', at);
    msg.setArgs(value);
    if (msg.kind === 'request') msg.inBody = true;
    return;
  }
  if (msg.postBodyStatus !== 'E' || msg.postBodyArgs !== null) {
    throw protocolError('bad-part', 'structure after the body without an error status', at);
  }
  msg.postBodyError(value);
}

function bodyPartStart(d: DecoderCore, length: number, at: number): void {
  const msg = d.msg;
  if (msg.kind === 'request' && (msg.args === null || msg.postBodyStatus !== null)) {
    throw protocolError('bad-part', 'body part outside the request body', at);
  }
  msg.inBody = true;
  msg.parts?.push(`b:${length}`);
  msg.bodyPartStart(length);
}

function endPart(d: DecoderCore, at: number): void {
  const msg = d.msg;
  msg.parts?.push('e');
  if (msg.kind === 'request' && msg.args === null) throw protocolError('bad-part', 'request ended before its arguments', at);
  if (msg.postBodyStatus === 'E' && msg.postBodyArgs === null) {
    throw protocolError('bad-part', 'message ended before the error structure', at);
  }
  d.finishMessage();
}
