/**
 * A 2a inventory (breezy/bzr/inventory.py CHKInventory): its root text, its entries as the
 * `id_to_entry` CHK map holds them, and the inventory XML Breezy's serializer writes of it
 * (chk_serializer.py CHKSerializer.write_inventory, format 10: what a v4 bundle diffs).
 * Pure: the caller reads the texts (the `.iix` root text, the CHK pages of chk-map.ts).
 *
 * Root text (CHKInventory.to_lines), every line ending in \n, each key at most once:
 *   `chkinventory:` then `KEY: VALUE` lines of `search_key_name`, `root_id`,
 *   `parent_id_basename_to_file_id` (`sha1:…`), `revision_id`, `id_to_entry` (`sha1:…`).
 * An `id_to_entry` value (CHKInventory._entry_to_bytes), fields joined by \n:
 *   `file: ID` PARENT NAME REVISION SHA1 SIZE `Y`|`N` (executable)
 *   `dir: ID` PARENT NAME REVISION
 *   `symlink: ID` PARENT NAME REVISION TARGET
 *   `tree: ID` PARENT NAME REVISION REFERENCE_REVISION
 * PARENT is empty for the root; names and targets are UTF-8, ids in practice too.
 */

export class BadInventoryError extends Error {
  override readonly name = 'BadInventoryError';
}

/** What an inventory's root text says (byte strings of the root text decoded as UTF-8). */
export interface ChkInventoryRoot {
  revisionId: string;
  rootId: string;
  searchKeyName: string;
  /** The CHK page keys (`sha1:…`) of the two maps' root pages. */
  idToEntry: string;
  parentIdBasenameToFileId: string;
}

interface CommonEntry {
  fileId: string;
  /** null for the root. */
  parentId: string | null;
  name: string;
  revision: string;
}

export type InventoryEntry = CommonEntry &
  (
    | { kind: 'file'; textSha1: string; textSize: number; executable: boolean }
    | { kind: 'directory' }
    | { kind: 'symlink'; symlinkTarget: string }
    | { kind: 'tree-reference'; referenceRevision: string }
  );

const ROOT_SIGNATURE = 'chkinventory:';
const ROOT_KEYS = ['root_id', 'revision_id', 'parent_id_basename_to_file_id', 'search_key_name', 'id_to_entry'] as const;
/** chk_map.search_key_registry; `plain` where the root text names none. */
const SEARCH_KEY_NAMES = new Set(['plain', 'hash-16-way', 'hash-255-way']);
const CHK_KEY = /^sha1:/;
/** Breezy's serializer for 2a (chk_serializer.chk_bencode_serializer). */
const XML_FORMAT = '10';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** A byte string (latin1, one char per byte) as the UTF-8 text it holds. */
function fromUtf8(bytes: string, what: string): string {
  if (!/[\x80-\xff]/.test(bytes)) return bytes;
  try {
    return utf8.decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
  } catch {
    throw new BadInventoryError(`inventory ${what} is not UTF-8`);
  }
}

/** The root text of one inventory (CHKInventory.deserialise), checked to be `expectedRevisionId`'s. */
export function parseInventoryRoot(text: Uint8Array, expectedRevisionId: string): ChkInventoryRoot {
  let lines: string[];
  try {
    lines = utf8.decode(text).split('\n');
  } catch {
    throw new BadInventoryError('inventory root text is not UTF-8');
  }
  if (lines.pop() !== '') throw new BadInventoryError('inventory root text does not end in a newline');
  if (lines[0] !== ROOT_SIGNATURE) throw new BadInventoryError('not a CHK inventory root text');
  const info = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const cut = line.indexOf(': ');
    const key = cut < 0 ? line : line.slice(0, cut);
    if (cut < 0 || !(ROOT_KEYS as readonly string[]).includes(key)) throw new BadInventoryError(`unknown key in inventory: ${JSON.stringify(key)}`);
    if (info.has(key)) throw new BadInventoryError(`duplicate key in inventory: ${key}`);
    info.set(key, line.slice(cut + 2));
  }
  const need = (key: string): string => {
    const value = info.get(key);
    if (value === undefined) throw new BadInventoryError(`inventory root text has no ${key}`);
    return value;
  };
  const root: ChkInventoryRoot = {
    revisionId: need('revision_id'),
    rootId: need('root_id'),
    searchKeyName: info.get('search_key_name') ?? 'plain',
    idToEntry: need('id_to_entry'),
    parentIdBasenameToFileId: need('parent_id_basename_to_file_id'),
  };
  if (!CHK_KEY.test(root.idToEntry) || !CHK_KEY.test(root.parentIdBasenameToFileId)) throw new BadInventoryError('inventory maps must be sha1 keys');
  if (!SEARCH_KEY_NAMES.has(root.searchKeyName)) throw new BadInventoryError(`unknown search key name ${JSON.stringify(root.searchKeyName)}`);
  if (root.revisionId !== expectedRevisionId) throw new BadInventoryError(`inventory is of ${JSON.stringify(root.revisionId)}, not ${JSON.stringify(expectedRevisionId)}`);
  return root;
}

/** One `id_to_entry` value (a byte string) as CHKInventory._bytes_to_entry reads it. */
export function parseInventoryEntry(value: string): InventoryEntry {
  const sections = value.split('\n');
  const field = (i: number, what: string): string => {
    if (i >= sections.length) throw new BadInventoryError(`inventory entry has no ${what}`);
    return fromUtf8(sections[i], what);
  };
  const common = (tagLength: number) => {
    const parent = field(1, 'parent id');
    return { fileId: fromUtf8(sections[0].slice(tagLength), 'file id'), parentId: parent === '' ? null : parent, name: field(2, 'name'), revision: field(3, 'revision') };
  };
  const head = sections[0];
  if (head.startsWith('file: ')) {
    const size = field(5, 'text size');
    if (!/^\d{1,15}$/.test(size)) throw new BadInventoryError(`bad text size ${JSON.stringify(size)}`);
    return { kind: 'file', ...common(6), textSha1: field(4, 'text sha1'), textSize: Number(size), executable: field(6, 'executable flag') === 'Y' };
  }
  if (head.startsWith('dir: ')) return { kind: 'directory', ...common(5) };
  if (head.startsWith('symlink: ')) return { kind: 'symlink', ...common(9), symlinkTarget: field(4, 'symlink target') };
  if (head.startsWith('tree: ')) return { kind: 'tree-reference', ...common(6), referenceRevision: field(4, 'reference revision') };
  throw new BadInventoryError(`not a serialised inventory entry: ${JSON.stringify(head.slice(0, 40))}`);
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', "'": '&apos;', '"': '&quot;', '<': '&lt;', '>': '&gt;' };

/**
 * xml_serializer.encode_and_escape of a text Breezy holds as bytes (ids, revision ids): the
 * five XML specials as entities, every non-ASCII character as a decimal character reference.
 */
function escapeBytesField(text: string): string {
  return text.replace(/[&<>'"\u{80}-\u{10ffff}]/gu, (c) => XML_ESCAPES[c] ?? `&#${c.codePointAt(0)};`);
}

/**
 * encode_and_escape of a text Breezy holds as str (names, symlink targets): its pattern
 * `[&<>'"\u0080-\uffff]` leaves characters past U+FFFF as they are (written as UTF-8).
 */
function escapeTextField(text: string): string {
  return text.replace(/[&<>'"\u{80}-\u{ffff}]/gu, (c) => XML_ESCAPES[c] ?? `&#${c.codePointAt(0)};`);
}

/** Python's order of str: by code point (JS's < compares UTF-16 units, which differs past U+FFFF). */
function byCodePoint(a: string, b: string): number {
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(j) as number;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

function entryLine(entry: InventoryEntry): string {
  const common = `file_id="${escapeBytesField(entry.fileId)}" name="${escapeTextField(entry.name)}" parent_id="${escapeBytesField(entry.parentId ?? '')}" revision="${escapeBytesField(entry.revision)}"`;
  switch (entry.kind) {
    case 'file':
      return `<file${entry.executable ? ' executable="yes"' : ''} ${common} text_sha1="${entry.textSha1}" text_size="${entry.textSize}" />\n`;
    case 'directory':
      return `<directory ${common} />\n`;
    case 'symlink':
      return `<symlink ${common} symlink_target="${escapeTextField(entry.symlinkTarget)}" />\n`;
    case 'tree-reference':
      return `<tree-reference ${common} reference_revision="${escapeBytesField(entry.referenceRevision)}" />\n`;
  }
}

/**
 * The inventory as CHKSerializer.write_inventory_to_chunks writes it, one chunk per line:
 * the `<inventory>` line, the root directory, then every entry reachable from the root in
 * CommonInventory.iter_entries' order (depth first, each directory's children sorted by
 * name), then `</inventory>`. Entries are taken by their parent id (what the
 * parent_id_basename_to_file_id map indexes, so that map need not be read).
 */
export function inventoryXmlChunks(revisionId: string, rootId: string, entries: Iterable<InventoryEntry>): Uint8Array[] {
  const children = new Map<string, InventoryEntry[]>();
  let root: InventoryEntry | undefined;
  for (const entry of entries) {
    if (entry.fileId === rootId) root = entry;
    if (entry.parentId === null) continue;
    const siblings = children.get(entry.parentId);
    if (siblings) siblings.push(entry);
    else children.set(entry.parentId, [entry]);
  }
  if (!root) throw new BadInventoryError(`inventory has no entry for its root ${JSON.stringify(rootId)}`);
  const lines = [
    `<inventory format="${XML_FORMAT}" revision_id="${escapeBytesField(revisionId)}">\n`,
    `<directory file_id="${escapeBytesField(root.fileId)}" name="${escapeTextField(root.name)}" revision="${escapeBytesField(root.revision)}" />\n`,
  ];
  const sorted = (dir: string): InventoryEntry[] => {
    const list = (children.get(dir) ?? []).sort((a, b) => byCodePoint(a.name, b.name));
    for (let i = 1; i < list.length; i++) if (list[i].name === list[i - 1].name) throw new BadInventoryError(`two entries named ${JSON.stringify(list[i].name)} in one directory`);
    return list;
  };
  // Each entry has one parent, so from the root every entry is met at most once, unless the
  // root names a parent: then it is refused before it is walked into twice.
  const entered = new Set<string>([rootId]);
  const stack: { list: InventoryEntry[]; next: number }[] = [{ list: sorted(rootId), next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next === top.list.length) {
      stack.pop();
      continue;
    }
    const entry = top.list[top.next++];
    lines.push(entryLine(entry));
    if (entry.kind !== 'directory') continue;
    if (entered.has(entry.fileId)) throw new BadInventoryError(`inventory directory ${JSON.stringify(entry.fileId)} is inside itself`);
    entered.add(entry.fileId);
    stack.push({ list: sorted(entry.fileId), next: 0 });
  }
  lines.push('</inventory>\n');
  return lines.map((line) => encoder.encode(line));
}
