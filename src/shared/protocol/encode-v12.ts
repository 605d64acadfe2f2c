/**
 * Protocol v1/v2 encoding in pieces (protocol.py `_encode_tuple`, `_encode_bulk_data`,
 * `_send_stream`):
 *   ARGS = fields joined by 0x01, "\n"          BULK = DECIMAL "\n" BYTES "done\n"
 *   CHUNKED = "chunked\n" (HEX "\n" BYTES)* ["ERR\n" (HEX "\n" BYTES)*] "END\n"
 */
import type { BValue } from './types';
import { ARG_SEPARATOR, BULK_TRAILER, CHUNKED_END, CHUNKED_ERR, CHUNKED_HEADER, NEWLINE } from './markers';
import { ByteSink } from './byte-sink';

/** v1/v2 fields are byte strings without 0x01 or "\n" (they would break the framing). */
export function encodeV12Tuple(args: BValue[]): Uint8Array {
  const out = new ByteSink();
  args.forEach((arg, i) => {
    if (!(arg instanceof Uint8Array)) throw new TypeError(`v1/v2 argument ${i} is not bytes`);
    if (arg.includes(ARG_SEPARATOR) || arg.includes(NEWLINE)) {
      throw new TypeError(`v1/v2 argument ${i} contains 0x01 or a newline`);
    }
    if (i > 0) out.byte(ARG_SEPARATOR);
    out.bytes(arg);
  });
  out.byte(NEWLINE);
  return out.finish();
}

export function encodeBulkBodyHeader(length: number): Uint8Array {
  const out = new ByteSink();
  out.ascii(`${length}\n`);
  return out.finish();
}

export function encodeBulkBodyTrailer(): Uint8Array {
  return BULK_TRAILER.slice();
}

export function encodeChunkedBodyStart(): Uint8Array {
  const out = new ByteSink();
  out.ascii(`${CHUNKED_HEADER}\n`);
  return out.finish();
}

/** The length line before one chunk of `length` bytes. */
export function encodeChunkHeader(length: number): Uint8Array {
  const out = new ByteSink();
  out.ascii(`${length.toString(16)}\n`);
  return out.finish();
}

/** `ERR` and the error tuple as chunks (a failure in mid-stream), without the END line. */
export function encodeChunkedError(args: BValue[]): Uint8Array {
  const out = new ByteSink();
  out.ascii(`${CHUNKED_ERR}\n`);
  args.forEach((arg, i) => {
    if (!(arg instanceof Uint8Array)) throw new TypeError(`error chunk ${i} is not bytes`);
    out.ascii(`${arg.length.toString(16)}\n`);
    out.bytes(arg);
  });
  return out.finish();
}

export function encodeChunkedBodyEnd(): Uint8Array {
  const out = new ByteSink();
  out.ascii(`${CHUNKED_END}\n`);
  return out.finish();
}
