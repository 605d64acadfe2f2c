/**
 * Protocol v3 encoding in pieces, so a relay can write a body part's header and then the
 * bytes it already holds, without joining them (protocol.py _ProtocolThreeEncoder):
 *   "bzr message 3 (bzr 1.6)\n" UINT32_BE(len) bencode(headers)
 *   "o" S|E      "s" UINT32_BE(len) bencode(list)      "b" UINT32_BE(len) BYTES      "e"
 */
import type { BValue, ResponseStatus } from './types';
import { bencode } from './bencode';
import { ByteSink } from './byte-sink';
import { MAX_UINT32, MESSAGE_VERSION_THREE, PART_BYTES, PART_END, PART_ONE_BYTE, PART_STRUCTURE, STATUS_ERROR, STATUS_SUCCESS } from './markers';
import { utf8Bytes } from './text';

/** Breezy's version, which a Breezy peer sends in `Software version`. */
export const DEFAULT_SOFTWARE_VERSION = '3.3.2';

export function defaultHeaders(): Map<string, BValue> {
  return new Map<string, BValue>([['Software version', utf8Bytes(DEFAULT_SOFTWARE_VERSION)]]);
}

/** Marker and headers: the start of every v3 message. */
export function encodeV3MessageStart(headers: Map<string, BValue> = defaultHeaders()): Uint8Array {
  const encoded = bencode(headers);
  const out = new ByteSink();
  out.bytes(MESSAGE_VERSION_THREE);
  out.uint32(encoded.length);
  out.bytes(encoded);
  return out.finish();
}

export function encodeV3Status(status: ResponseStatus): Uint8Array {
  return Uint8Array.of(PART_ONE_BYTE, status === 'S' ? STATUS_SUCCESS : STATUS_ERROR);
}

export function encodeV3Structure(args: BValue[]): Uint8Array {
  const encoded = bencode(args);
  const out = new ByteSink();
  out.byte(PART_STRUCTURE);
  out.uint32(encoded.length);
  out.bytes(encoded);
  return out.finish();
}

/** The 5 bytes before a body part of `length` bytes. */
export function encodeV3BodyPartHeader(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_UINT32) throw new RangeError(`body part length ${length}`);
  return Uint8Array.of(PART_BYTES, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
}

/** A whole body part (header + bytes, copied). */
export function encodeV3BodyPart(chunk: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + chunk.length);
  out.set(encodeV3BodyPartHeader(chunk.length));
  out.set(chunk, 5);
  return out;
}

export function encodeV3End(): Uint8Array {
  return Uint8Array.of(PART_END);
}
