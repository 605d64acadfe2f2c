/**
 * Breezy's readv over a local file (transport/__init__.py `_seek_and_read`,
 * `_coalesce_offsets`), as a plan checked against the file's size before any byte is sent:
 * the requested ranges are sorted and coalesced (adjacent ranges, at most 50 per read, no
 * fudge, reads of at most 100 MiB); overlapping ranges are a ValueError; the first coalesced
 * read that runs past the end is the ShortReadvError, naming that coalesced read. The answer
 * body is the requested ranges' bytes in the order requested.
 */
import type { MessageAnswer } from '../../core/server-call';
import { bytesRepr } from './verb-table';
import type { FileRange } from './file-pieces';

/** LocalTransport's `_max_readv_combine`. */
const MAX_RANGES_PER_READ = 50;
/** `_coalesce_offsets`' default `max_size`. */
const MAX_COALESCED_BYTES = 100 * 1024 * 1024;

const answer = (...args: string[]): MessageAnswer => ({ status: 'E', args });

/** vfs.py `_deserialise_offsets`: `start,length` lines; blank lines skipped. */
export function parseReadvOffsets(body: Uint8Array): FileRange[] | MessageAnswer {
  const ranges: FileRange[] = [];
  const text = Buffer.from(body.buffer, body.byteOffset, body.length);
  let at = 0;
  while (at <= text.length) {
    let end = text.indexOf(0x0a, at);
    if (end < 0) end = text.length;
    const line = text.subarray(at, end);
    at = end + 1;
    if (line.length === 0) continue;
    const fields = splitComma(line);
    if (fields.length < 2) return answer('error', 'ValueError', `not enough values to unpack (expected 2, got ${fields.length})`);
    if (fields.length > 2) return answer('error', 'ValueError', 'too many values to unpack (expected 2)');
    const [start, length] = fields.map(pythonInt);
    if (typeof start !== 'number') return start;
    if (typeof length !== 'number') return length;
    ranges.push({ start, length });
  }
  return ranges;
}

function splitComma(line: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i === line.length || line[i] === 0x2c) {
      out.push(line.subarray(from, i));
      from = i + 1;
    }
  }
  return out;
}

function pythonInt(bytes: Uint8Array): number | MessageAnswer {
  const text = Buffer.from(bytes).toString('latin1').trim();
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  return answer('error', 'ValueError', `invalid literal for int() with base 10: ${bytesRepr(bytes)}`);
}

interface Coalesced {
  start: number;
  length: number;
  count: number;
}

/** The check Breezy makes before the bytes go out; null when every range can be read. */
export function checkReadv(ranges: readonly FileRange[], fileSize: number, vfsRelpath: string): MessageAnswer | null {
  // _seek_and_read calls next() on the empty offset iterator inside a generator.
  if (ranges.length === 0) return answer('error', 'TypeError', "'NoneType' object is not iterable");
  if (ranges.some((r) => r.start < 0 || r.length < 0)) return answer('error', 'OSError', '[Errno 22] Invalid argument');
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.length - b.length);
  const coalesced: Coalesced[] = [];
  let cur: Coalesced | null = null;
  let lastEnd = 0;
  for (const { start, length } of sorted) {
    const end = start + length;
    if (cur && start <= lastEnd && start >= cur.start && cur.count < MAX_RANGES_PER_READ && end - cur.start <= MAX_COALESCED_BYTES) {
      if (start < lastEnd) {
        return answer('error', 'ValueError', `Overlapping range not allowed: last range ended at ${lastEnd}, new one starts at ${start}`);
      }
      cur.length = end - cur.start;
      cur.count++;
    } else {
      cur = { start, length, count: 1 };
      coalesced.push(cur);
    }
    lastEnd = end;
  }
  for (const c of coalesced) {
    const actual = Math.max(0, Math.min(c.length, fileSize - c.start));
    if (actual < c.length) return answer('ShortReadvError', vfsRelpath, String(c.start), String(c.length), String(actual));
  }
  return null;
}
