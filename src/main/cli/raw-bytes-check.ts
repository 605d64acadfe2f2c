/**
 * Does a file hold raw protocol bytes? `hpss decode` asks before decoding, so a trace or a
 * capture (JSON Lines) is refused with what to do instead of decoded as a nonsense v1
 * request. The first line tells: a v3 or v2 marker, or a v1 line (`verb\x01arg…`, or a v1
 * response word such as `ok`, `error`, `yes`).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Direction } from '../../shared/protocol';

const HEAD = 512;
const MARKERS: Record<Direction, string[]> = {
  c2s: ['bzr message 3 (bzr 1.6)', 'bzr request 2'],
  s2c: ['bzr message 3 (bzr 1.6)', 'bzr response 2'],
};
/** A v1 line: a word of Breezy's verb or answer alphabet, then \x01 and arguments or the end of the line. */
const V1_WORD = /^[A-Za-z_][\w.-]*$/;
const V1_SEPARATOR = String.fromCharCode(1);

/** Null when the file may hold protocol bytes; else why not, and what to run instead. */
export function notProtocolBytes(file: string, dir: Direction): string | null {
  const fd = openSync(file, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(HEAD);
    head = buf.subarray(0, readSync(fd, buf, 0, HEAD, 0));
  } finally {
    closeSync(fd);
  }
  if (head.length === 0) return null;
  const text = head.toString('latin1');
  const end = text.indexOf('\n');
  const firstLine = end < 0 ? text : text.slice(0, end);
  if (text.startsWith('{')) {
    return `${file} is JSON, not raw protocol bytes: for a trace run \`hpss trace summary ${file}\`; a trace or a capture's .jsonl opens in the UI (Open trace…)`;
  }
  if (MARKERS[dir].includes(firstLine) || V1_WORD.test(firstLine.split(V1_SEPARATOR)[0])) return null;
  const other = dir === 'c2s' ? 's2c' : 'c2s';
  if (MARKERS[other].includes(firstLine)) {
    return `${file} starts like ${dir === 'c2s' ? 'a response stream: pass it second (hpss decode C2S_FILE S2C_FILE)' : 'a request stream: pass it first'}`;
  }
  const shown = firstLine.slice(0, 32).replace(/[^\x20-\x7e]/g, '.');
  return `${file} does not start like ${dir === 'c2s' ? 'a request' : 'a response'} (no protocol marker and no v1 line: "${shown}"…); decode takes the raw bytes of one direction of a connection`;
}
