/**
 * Reading a B+Tree graph index (breezy/bzr/btree_index.py), the index format of 2a
 * repositories (`pack-names`, `indices/*.rix|iix|cix|tix|six`). Pure: the caller supplies the
 * file's bytes and a zlib inflater.
 *
 * Layout: 4096-byte pages. Page 0 starts with the header
 *   `B+Tree Graph Index 2\n` `node_ref_lists=N\n` `key_elements=K\n` `len=COUNT\n`
 *   `row_lengths=R0,R1,…\n`
 * and its node follows the header in the same page. Every page is one zlib stream (zero
 * padded): internal nodes start `type=internal\n`, leaves `type=leaf\n` then one line per key:
 *   key elements joined by \0, \0, reference lists (lists joined by \t, references in a list
 *   by \r, a reference's elements by \0), \0, value.
 * Rows are stored root first; the last row holds the leaves, in key order.
 */
import { byteString } from '../protocol/text';
import { runToEnd, type Steps } from '../steps';

const BTREE_SIGNATURE = 'B+Tree Graph Index 2\n';
const BTREE_PAGE_SIZE = 4096;
const LEAF_FLAG = 'type=leaf\n';

export type IndexKey = readonly string[];

export interface IndexEntry {
  key: IndexKey;
  value: Uint8Array;
  /** One list per `node_ref_lists`, each of keys. */
  refs: IndexKey[][];
}

export interface BTreeHeader {
  refLists: number;
  keyElements: number;
  count: number;
  rowLengths: number[];
  /** Where page 0's node starts. */
  headerLength: number;
}

export class BadIndexError extends Error {
  override readonly name = 'BadIndexError';
}

const utf8 = new TextDecoder('utf-8');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const toUtf8 = new TextEncoder();

/** A leaf page as text, and how its fields map back: keys as Breezy decodes them (UTF-8), values as their bytes. */
interface LeafText {
  text: string;
  key(field: string): string;
  value(field: string): Uint8Array;
}

function leafText(inflated: Uint8Array): LeafText {
  try {
    // Nearly every page is valid UTF-8: decoded once, and since the delimiters are ASCII each
    // field is valid UTF-8 on its own, so a value's bytes are its text encoded again (never
    // more bytes than the page holds).
    const text = strictUtf8.decode(inflated);
    // Values are views into one buffer per page: an ArrayBuffer per entry cost most of the time in GC.
    const values = new Uint8Array(inflated.length);
    let used = 0;
    const value = (field: string) => {
      const { written } = toUtf8.encodeInto(field, values.subarray(used));
      used += written;
      return values.subarray(used - written, used);
    };
    return { text, key: (field) => field, value };
  } catch {
    // A value (any byte but \n) that is not UTF-8: one char per byte, keys decoded one by one.
    return { text: byteString(inflated), key: fromByteString, value: bytesOf };
  }
}

function option(line: string | undefined, name: string): string {
  if (line === undefined || !line.startsWith(name)) throw new BadIndexError(`bad index option line: expected ${name}`);
  return line.slice(name.length);
}

function int(text: string): number {
  if (!/^\d+$/.test(text)) throw new BadIndexError(`bad number in index header: ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseBTreeHeader(bytes: Uint8Array): BTreeHeader {
  const head = byteString(bytes.subarray(0, Math.min(bytes.length, BTREE_PAGE_SIZE)));
  if (!head.startsWith(BTREE_SIGNATURE)) throw new BadIndexError('not a B+Tree graph index (bad signature)');
  const lines = head.slice(BTREE_SIGNATURE.length).split('\n', 4);
  if (lines.length < 4 || head.slice(BTREE_SIGNATURE.length).split('\n').length < 5) throw new BadIndexError('truncated index header');
  const refLists = int(option(lines[0], 'node_ref_lists='));
  const keyElements = int(option(lines[1], 'key_elements='));
  const count = int(option(lines[2], 'len='));
  const rows = option(lines[3], 'row_lengths=');
  const rowLengths = rows === '' ? [] : rows.split(',').filter((r) => r !== '').map(int);
  const headerLength = BTREE_SIGNATURE.length + lines.reduce((n, l) => n + l.length + 1, 0);
  return { refLists, keyElements, count, rowLengths, headerLength };
}

/** Leaf pages read between two pauses of readBTreeIndexSteps: a few milliseconds of work. */
export const INDEX_PAGES_PER_STEP = 16;

/** Every entry of the index, in key order. `inflate` is zlib's decompress (trailing padding ignored). */
export function readBTreeIndex(bytes: Uint8Array, inflate: (page: Uint8Array) => Uint8Array): { header: BTreeHeader; entries: IndexEntry[] } {
  return runToEnd(readBTreeIndexSteps(bytes, inflate));
}

/** `readBTreeIndex` as steps, pausing after each INDEX_PAGES_PER_STEP leaf pages (an index of 300,000 keys is 1,800 pages). */
export function* readBTreeIndexSteps(bytes: Uint8Array, inflate: (page: Uint8Array) => Uint8Array): Steps<{ header: BTreeHeader; entries: IndexEntry[] }> {
  const header = parseBTreeHeader(bytes);
  const entries: IndexEntry[] = [];
  const rows = header.rowLengths;
  if (rows.length === 0) return { header, entries };
  const leafStart = rows.slice(0, -1).reduce((a, b) => a + b, 0);
  const leafCount = rows[rows.length - 1];
  for (let page = leafStart; page < leafStart + leafCount; page++) {
    const from = page === 0 ? header.headerLength : page * BTREE_PAGE_SIZE;
    const to = Math.min(bytes.length, (page + 1) * BTREE_PAGE_SIZE);
    if (from >= to) throw new BadIndexError(`index page ${page} is past the end of the file`);
    let inflated: Uint8Array;
    try {
      inflated = inflate(bytes.subarray(from, to));
    } catch (err) {
      throw new BadIndexError(`index page ${page} does not inflate: ${(err as Error).message}`);
    }
    const leaf = leafText(inflated);
    if (!leaf.text.startsWith(LEAF_FLAG)) throw new BadIndexError(`index page ${page} is not a leaf`);
    for (const line of leaf.text.slice(LEAF_FLAG.length).split('\n')) {
      if (line === '') break;
      entries.push(parseLeafLine(line, header, leaf));
    }
    if ((page - leafStart + 1) % INDEX_PAGES_PER_STEP === 0) yield;
  }
  if (entries.length !== header.count) throw new BadIndexError(`index holds ${entries.length} keys, its header says ${header.count}`);
  return { header, entries };
}

/** Keys and references are UTF-8 in Breezy (revision ids); the value stays bytes. */
function parseLeafLine(line: string, header: BTreeHeader, leaf: LeafText): IndexEntry {
  const parts = line.split('\0');
  if (parts.length < header.keyElements + 2) throw new BadIndexError('short index leaf line');
  const key = parts.slice(0, header.keyElements).map(leaf.key);
  const rest = parts.slice(header.keyElements).join('\0');
  const cut = rest.lastIndexOf('\0');
  const references = rest.slice(0, cut);
  const value = leaf.value(rest.slice(cut + 1));
  const refs: IndexKey[][] = [];
  if (header.refLists > 0) {
    for (const list of references.split('\t')) {
      refs.push(list.split('\r').filter((r) => r !== '').map((r) => r.split('\0').map(leaf.key)));
    }
  }
  return { key, value, refs };
}

function bytesOf(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function fromByteString(s: string): string {
  return utf8.decode(bytesOf(s));
}
