/**
 * Bazaar's pack container, written (breezy/bzr/pack.py `ContainerSerialiser`): what a v4
 * bundle holds inside its bzip2 stream, and what `.pack` files are.
 *
 *   container := FORMAT_ONE "\n" record* "E"
 *   record    := "B" LENGTH "\n" (NAME ("\x00" NAME)* "\n")* "\n" BODY   (LENGTH = len BODY, decimal)
 *
 * A name element may not hold whitespace (`_check_name`): Breezy refuses it, and so do we.
 */
import { concatBytes } from '../protocol/bytes';
import { byteString } from '../protocol/text';

export const PACK_FORMAT_ONE = 'Bazaar pack format 1 (introduced in 0.18)';
const BYTES_RECORD = 'B';
const END_MARKER = 'E';
const WHITESPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);

const ascii = new TextEncoder();

export function containerBegin(): Uint8Array {
  return ascii.encode(`${PACK_FORMAT_ONE}\n`);
}

export function containerEnd(): Uint8Array {
  return ascii.encode(END_MARKER);
}

/** The header of a bytes record of `length` bytes under `names` (each a tuple of elements). */
export function bytesRecordHeader(length: number, names: readonly (readonly Uint8Array[])[]): Uint8Array {
  const parts: Uint8Array[] = [ascii.encode(`${BYTES_RECORD}${length}\n`)];
  for (const tuple of names) {
    tuple.forEach((element, i) => {
      if (element.some((b) => WHITESPACE.has(b))) throw new Error(`pack container name holds whitespace: ${JSON.stringify(byteString(element))}`);
      if (i > 0) parts.push(ascii.encode('\x00'));
      parts.push(element);
    });
    parts.push(ascii.encode('\n'));
  }
  parts.push(ascii.encode('\n'));
  return concatBytes(parts);
}

/** A whole bytes record: header and body. */
export function bytesRecord(body: Uint8Array, names: readonly (readonly Uint8Array[])[]): Uint8Array {
  return concatBytes([bytesRecordHeader(body.length, names), body]);
}
