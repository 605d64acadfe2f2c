/**
 * Reading ranges of an open file as response-body pieces, straight from disk: memory stays
 * two pieces whatever the size (a 256 MiB `get` is never whole in memory).
 */
import type { FileHandle } from 'node:fs/promises';
import { StreamedBodyError } from '../../core/server-call';

/** One read and one body piece (v3 body part, v2 chunk). */
const PIECE_BYTES = 1024 * 1024;

export interface FileRange {
  start: number;
  length: number;
}

/** The reads that cover `ranges`, in order, each at most one piece. */
function* reads(ranges: readonly FileRange[]): Generator<FileRange> {
  for (const { start, length } of ranges) {
    for (let done = 0; done < length; done += PIECE_BYTES) yield { start: start + done, length: Math.min(PIECE_BYTES, length - done) };
  }
}

/**
 * The bytes of `ranges`, in order, as pieces; closes the file when done or abandoned. The
 * next piece is read while the consumer sends this one (disk and socket overlap). A file
 * that shrank under us ends the body with Breezy's ReadError for `name`.
 */
export async function* readRanges(file: FileHandle, ranges: readonly FileRange[], name: string): AsyncGenerator<Uint8Array> {
  const read = async ({ start, length }: FileRange): Promise<Uint8Array> => {
    // A fresh buffer per piece: the encoder may keep a piece until it is written.
    const piece = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await file.read(piece, filled, length - filled, start + filled);
      if (bytesRead === 0) throw new StreamedBodyError(['ReadError', name]);
      filled += bytesRead;
    }
    return piece;
  };
  const plan = reads(ranges);
  let next = plan.next();
  let pending = next.done ? null : read(next.value);
  try {
    while (pending) {
      const piece = await pending;
      next = plan.next();
      pending = next.done ? null : read(next.value);
      // A read started ahead that fails while nobody waits must not be an unhandled rejection.
      pending?.catch(() => undefined);
      yield piece;
    }
  } finally {
    await pending?.catch(() => undefined);
    await file.close();
  }
}
