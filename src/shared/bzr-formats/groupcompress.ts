/**
 * Reading one text out of a 2a repository's pack file (breezy/bzr/pack.py, groupcompress.py).
 * Pure: the caller reads the bytes an index entry points at and supplies a zlib inflater.
 *
 * An index value (`.rix`, `.iix`, …) is `START LENGTH FROM TO`: bytes START..START+LENGTH of
 * the `.pack` file are one container record, and the text is bytes FROM..TO of the record's
 * group-compress block once inflated.
 *
 * Container record: `B` LENGTH `\n`, one line per name (elements joined by \0), `\n`, then
 * LENGTH bytes of body (group-compress writes no names).
 * Block (the body): `gcb1z\n` Z_LENGTH `\n` LENGTH `\n` then Z_LENGTH bytes of zlib giving
 * LENGTH bytes of content (`gcb1l\n`, lzma, is refused: Breezy never writes it).
 * A text in the content: `f` VARINT(n) then n bytes of fulltext, or `d` VARINT(n) then an
 * n-byte delta against the content before it: VARINT(target length) and instructions —
 * a byte with 0x80 set copies (offset in up to 4 bytes flagged by bits 0-3, length in up
 * to 3 bytes by bits 4-6, 0 meaning 65536), a byte 1..127 inserts that many literal bytes.
 * VARINTs are base 128, least significant group first.
 */
import { byteString } from '../protocol/text';

export class BadPackRecordError extends Error {
  override readonly name = 'BadPackRecordError';
}

/** Where one text lives: its pack record and its range in the record's block content. */
export interface TextMemo {
  start: number;
  length: number;
  from: number;
  to: number;
}

const ZLIB_BLOCK = 'gcb1z\n';
const LZMA_BLOCK = 'gcb1l\n';
const FULLTEXT = 0x66; // 'f'
const DELTA = 0x64; // 'd'
const NEWLINE = 0x0a;
const COPY_FLAG = 0x80;
const COPY_LENGTH_ZERO_MEANS = 0x10000;
/** Decimal lengths in headers: Breezy looks at most 14 bytes ahead for each newline. */
const MAX_DECIMAL = 14;


/** Parses an index value `START LENGTH FROM TO`. */
export function parseTextMemo(value: Uint8Array): TextMemo {
  const parts = byteString(value).split(' ');
  if (parts.length !== 4 || !parts.every((p) => /^\d+$/.test(p))) throw new BadPackRecordError(`bad group-compress index value: ${JSON.stringify(byteString(value))}`);
  const [start, length, from, to] = parts.map(Number);
  return { start, length, from, to };
}

/** A decimal line at `pos` (no sign, at most MAX_DECIMAL digits): its value and the position after its newline. */
function decimalLine(bytes: Uint8Array, pos: number, what: string): [number, number] {
  const end = bytes.subarray(pos, pos + MAX_DECIMAL + 1).indexOf(NEWLINE);
  const digits = end < 0 ? '' : byteString(bytes.subarray(pos, pos + end));
  if (!/^\d+$/.test(digits)) throw new BadPackRecordError(`bad ${what} length`);
  return [Number(digits), pos + end + 1];
}

/** The body of one container record (`record` is exactly the bytes its memo names). */
export function packRecordBody(record: Uint8Array): Uint8Array {
  if (record[0] !== 0x42 /* B */) throw new BadPackRecordError('not a bytes record');
  const [length, afterLength] = decimalLine(record, 1, 'record');
  let pos = afterLength;
  // Name lines, then an empty line.
  for (;;) {
    const end = record.indexOf(NEWLINE, pos);
    if (end < 0) throw new BadPackRecordError('record names not terminated');
    const empty = end === pos;
    pos = end + 1;
    if (empty) break;
  }
  if (record.length - pos !== length) throw new BadPackRecordError(`record body is ${record.length - pos} bytes, header says ${length}`);
  return record.subarray(pos);
}

/**
 * A block's content. `inflate` gets the zlib stream and the length the header states, and
 * must not make more than that (a block claiming little and inflating to much is refused).
 * It may inflate off the caller's thread (a text of 30 MB is a block of 30 MB): awaited.
 */
export async function blockContent(block: Uint8Array, inflate: (z: Uint8Array, statedLength: number) => Uint8Array | Promise<Uint8Array>): Promise<Uint8Array> {
  const magic = byteString(block.subarray(0, 6));
  if (magic === LZMA_BLOCK) throw new BadPackRecordError('lzma group-compress blocks are not supported');
  if (magic !== ZLIB_BLOCK) throw new BadPackRecordError('not a group-compress block');
  const [zLength, pos] = decimalLine(block, 6, 'compressed content');
  const [length, start] = decimalLine(block, pos, 'content');
  if (block.length !== start + zLength) throw new BadPackRecordError(`block is ${block.length - start} compressed bytes, header says ${zLength}`);
  const content = await inflate(block.subarray(start), length);
  if (content.length !== length) throw new BadPackRecordError(`block inflated to ${content.length} bytes, header says ${length}`);
  return content;
}

function base128(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= bytes.length) break;
    const b = bytes[pos++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos];
    scale *= 128;
  }
  throw new BadPackRecordError('bad length in group-compress content');
}

/** The text at content[from..to): a fulltext as it is, a delta applied to the content before it. */
export function extractText(content: Uint8Array, from: number, to: number): Uint8Array {
  if (from === 0 && to === 0) return new Uint8Array(0);
  const kind = content[from];
  if (kind !== FULLTEXT && kind !== DELTA) throw new BadPackRecordError(`unknown content control code 0x${(kind ?? 0).toString(16)}`);
  const [length, textStart] = base128(content, from + 1);
  if (textStart + length !== to || to > content.length) throw new BadPackRecordError(`text length ${length} does not end at ${to}`);
  if (kind === FULLTEXT) return content.subarray(textStart, to);
  return applyDelta(content, textStart, to);
}

function applyDelta(source: Uint8Array, start: number, end: number): Uint8Array {
  const [targetLength, first] = base128(source, start);
  const out = new Uint8Array(targetLength);
  let written = 0;
  let pos = first;
  const put = (piece: Uint8Array) => {
    if (written + piece.length > targetLength) throw new BadPackRecordError('delta writes past its stated length');
    out.set(piece, written);
    written += piece.length;
  };
  while (pos < end) {
    const cmd = source[pos++];
    if (cmd & COPY_FLAG) {
      let offset = 0;
      let length = 0;
      for (let bit = 0; bit < 4; bit++) if (cmd & (1 << bit)) offset += source[pos++] * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (cmd & (0x10 << bit)) length |= source[pos++] << (8 * bit);
      if (length === 0) length = COPY_LENGTH_ZERO_MEANS;
      if (offset + length > source.length) throw new BadPackRecordError('delta copies bytes past the end of its source');
      put(source.subarray(offset, offset + length));
    } else {
      if (cmd === 0) throw new BadPackRecordError('delta command 0');
      if (pos + cmd > end) throw new BadPackRecordError('delta insert runs past the delta');
      put(source.subarray(pos, pos + cmd));
      pos += cmd;
    }
  }
  if (pos !== end || written !== targetLength) throw new BadPackRecordError(`delta made ${written} bytes, claimed ${targetLength}`);
  return out;
}
