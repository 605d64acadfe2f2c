/**
 * Parsing one page of a CHK map (breezy/bzr/chk_map.py, _chk_map_py.py), the content-hash
 * keyed maps a 2a inventory keeps its entries in (`id_to_entry`, `parent_id_basename_to_file_id`).
 * Pure: the caller reads the page (a `.cix` text, stored under `sha1:` + its SHA-1).
 *
 * Pages are byte strings here (latin1: one char per byte), as keys and values are bytes in
 * Breezy; the caller decodes what it knows to be UTF-8.
 *
 * A leaf (`_deserialise_leaf_node`), every line ending in \n:
 *   `chkleaf:` MAXIMUM_SIZE KEY_WIDTH LENGTH COMMON_PREFIX, then per item one line
 *   SUFFIX (PREFIX + SUFFIX = the key's elements joined by \0, then \0 and the number N of
 *   value lines) and the N lines of its value (the value is them joined by \n).
 * An internal node (`_deserialise_internal_node`):
 *   `chknode:` MAXIMUM_SIZE KEY_WIDTH LENGTH COMMON_PREFIX, then per child one line
 *   SUFFIX (PREFIX + SUFFIX = the child's search-key prefix, \0, the child page's key).
 *   The search-key prefix may itself hold \0 (hash-255-way search keys are raw bytes), so
 *   the child key is what follows the last \0. LENGTH counts the items under the node.
 */
import { byteString } from '../protocol/text';

export class BadChkPageError extends Error {
  override readonly name = 'BadChkPageError';
}

export interface ChkItem {
  /** The key's elements (KEY_WIDTH of them), as byte strings. */
  key: string[];
  /** The value, as a byte string. */
  value: string;
}

interface ChkPageHead {
  maximumSize: number;
  keyWidth: number;
  /** Items in the page (a leaf) or under it (an internal node). */
  length: number;
}

export interface ChkLeaf extends ChkPageHead {
  kind: 'leaf';
  items: ChkItem[];
}

export interface ChkInternalNode extends ChkPageHead {
  kind: 'internal';
  /** Search-key prefix → the child page's key (`sha1:…`), in page order. */
  children: { prefix: string; key: string }[];
}

export type ChkPage = ChkLeaf | ChkInternalNode;

const LEAF_SIGNATURE = 'chkleaf:';
const INTERNAL_SIGNATURE = 'chknode:';
const HEADER_LINES = 5;


function count(line: string, what: string): number {
  if (!/^\d{1,15}$/.test(line)) throw new BadChkPageError(`bad ${what} in CHK page header: ${JSON.stringify(line)}`);
  return Number(line);
}

/** The page's lines (it must end in \n) and its header fields. */
function splitPage(text: string, signature: string): { lines: string[]; head: ChkPageHead; prefix: string } {
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new BadChkPageError('CHK page does not end in a newline');
  if (lines[0] !== signature) throw new BadChkPageError(`not a CHK ${signature === LEAF_SIGNATURE ? 'leaf' : 'internal node'}`);
  if (lines.length < HEADER_LINES) throw new BadChkPageError('CHK page header is truncated');
  const head = { maximumSize: count(lines[1], 'maximum size'), keyWidth: count(lines[2], 'key width'), length: count(lines[3], 'length') };
  if (head.keyWidth < 1) throw new BadChkPageError('CHK page key width is 0');
  return { lines, head, prefix: lines[4] };
}

function parseLeaf(text: string): ChkLeaf {
  const { lines, head, prefix } = splitPage(text, LEAF_SIGNATURE);
  const items: ChkItem[] = [];
  const seen = new Set<string>();
  for (let pos = HEADER_LINES; pos < lines.length; ) {
    const elements = (prefix + lines[pos++]).split('\0');
    if (elements.length !== head.keyWidth + 1) throw new BadChkPageError(`CHK leaf item has ${elements.length - 1} key elements, the page says ${head.keyWidth}`);
    const valueLines = count(elements.pop() as string, 'value line count');
    if (pos + valueLines > lines.length) throw new BadChkPageError('CHK leaf item value runs past the page');
    const flat = elements.join('\0');
    if (seen.has(flat)) throw new BadChkPageError('CHK leaf holds one key twice');
    seen.add(flat);
    items.push({ key: elements, value: lines.slice(pos, pos + valueLines).join('\n') });
    pos += valueLines;
  }
  if (items.length !== head.length) throw new BadChkPageError(`CHK leaf holds ${items.length} items, its header says ${head.length}`);
  return { kind: 'leaf', ...head, items };
}

function parseInternal(text: string): ChkInternalNode {
  const { lines, head, prefix } = splitPage(text, INTERNAL_SIGNATURE);
  const children: { prefix: string; key: string }[] = [];
  const seen = new Set<string>();
  for (const suffix of lines.slice(HEADER_LINES)) {
    const line = prefix + suffix;
    const cut = line.lastIndexOf('\0');
    if (cut < 0) throw new BadChkPageError('CHK internal node line has no child key');
    const child = { prefix: line.slice(0, cut), key: line.slice(cut + 1) };
    if (child.key === '') throw new BadChkPageError('CHK internal node line has an empty child key');
    if (seen.has(child.prefix)) throw new BadChkPageError('CHK internal node names one prefix twice');
    seen.add(child.prefix);
    children.push(child);
  }
  if (children.length === 0) throw new BadChkPageError('CHK internal node has no children');
  return { kind: 'internal', ...head, children };
}

/** One CHK page, leaf or internal node by its first line; BadChkPageError when it is neither or malformed. */
export function parseChkPage(page: Uint8Array): ChkPage {
  const text = byteString(page);
  if (text.startsWith(`${LEAF_SIGNATURE}\n`)) return parseLeaf(text);
  if (text.startsWith(`${INTERNAL_SIGNATURE}\n`)) return parseInternal(text);
  throw new BadChkPageError('not a CHK page (neither chkleaf: nor chknode:)');
}
