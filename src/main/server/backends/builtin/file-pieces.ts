/**
 * Reading ranges of an open file as response-body pieces, straight from disk: memory stays
 * one piece per read whatever the size (a 256 MiB `get` is never whole in memory).
 */
import type { FileHandle } from 'node:fs/promises';
import { StreamedBodyError } from '../../core/server-call';

/** One read and one body piece (v3 body part, v2 chunk). */
export const PIECE_BYTES = 256 * 1024;

export interface FileRange {
  start: number;
  length: number;
}

/**
 * The bytes of `ranges`, in order, as pieces; closes the file when done or abandoned. A file
 * that shrank under us ends the body with Breezy's ReadError for `name`.
 */
export async function* readRanges(file: FileHandle, ranges: readonly FileRange[], name: string): AsyncGenerator<Uint8Array> {
  try {
    for (const { start, length } of ranges) {
      let done = 0;
      while (done < length) {
        // A fresh buffer per piece: the encoder may keep a piece until it is written.
        const want = Math.min(PIECE_BYTES, length - done);
        const piece = Buffer.allocUnsafe(want);
        const { bytesRead } = await file.read(piece, 0, want, start + done);
        if (bytesRead === 0) throw new StreamedBodyError(['ReadError', name]);
        done += bytesRead;
        yield bytesRead === want ? piece : piece.subarray(0, bytesRead);
      }
    }
  } finally {
    await file.close();
  }
}
