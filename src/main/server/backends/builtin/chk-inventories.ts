/**
 * A 2a repository's inventories, for a v4 bundle: each as Breezy's inventory XML (what the
 * bundle diffs, see src/shared/bzr-formats/chk-inventory.ts), and which file texts a set of
 * revisions altered (what it sends texts of). A revision's root text is read from the `.iix`
 * versioned file, its `id_to_entry` map walked page by page through the `.cix` CHK pages
 * (src/shared/bzr-formats/chk-map.ts), all out of the packs (pack-index.ts, pack-texts.ts).
 */
import { BadInventoryError, inventoryXmlChunks, parseInventoryEntry, parseInventoryRoot, type ChkInventoryRoot, type InventoryEntry } from '../../../../shared/bzr-formats/chk-inventory';
import { parseChkPage } from '../../../../shared/bzr-formats/chk-map';
import { keyString, readVersionedFileIndex } from './pack-index';
import { PackTexts } from './pack-texts';

/** Bounds on one inventory's map, past which it is refused rather than walked. */
export interface InventoryLimits {
  /** Pages from the root to a leaf, the root counted. */
  maxDepth: number;
  maxPages: number;
  maxEntries: number;
}

/**
 * A 255-way hashed map is 4 levels below its root at most and a plain one as deep as its
 * longest key; a tree of 500,000 entries is a few hundred MiB held.
 */
const DEFAULT_LIMITS: InventoryLimits = { maxDepth: 32, maxPages: 100_000, maxEntries: 500_000 };
/**
 * Parsed pages kept between revisions, up to this many bytes of page text: a CHK page's key
 * is its content's hash, and successive revisions share all pages but those along changed
 * entries. Bounded by bytes, not pages, so a whole inventory of some 50,000 entries stays
 * cached (a walk in the same order over more pages than an LRU holds would never hit).
 */
const CACHED_PAGE_BYTES = 16 * 1024 * 1024;

export class InventoryTooLargeError extends Error {
  override readonly name = 'InventoryTooLargeError';
}

export class NoSuchInventoryError extends Error {
  override readonly name = 'NoSuchInventoryError';
}

type LeafPage = { kind: 'leaf'; entries: InventoryEntry[]; /** The raw values, entries[i]'s at i. */ values: string[] };
type ParsedPage = (LeafPage | { kind: 'internal'; children: string[] }) & { size: number };

/**
 * The inventories of one repository, with its `.iix` and `.cix` indexes read once (open):
 * ask for several revisions through one instance. Packs added after open are not seen.
 */
export class RepositoryInventories {
  private readonly pages = new Map<string, ParsedPage>();
  private cachedBytes = 0;

  private constructor(
    private readonly rootTexts: PackTexts,
    /** Each inventory's parents, as its `.iix` entry lists them (the revision's parents). */
    private readonly parents: ReadonlyMap<string, readonly string[]>,
    private readonly chk: PackTexts,
    private readonly limits: InventoryLimits,
  ) {}

  static async open(repositoryDir: string, limits: InventoryLimits = DEFAULT_LIMITS): Promise<RepositoryInventories> {
    const [roots, chk] = await Promise.all([readVersionedFileIndex(repositoryDir, 'iix'), readVersionedFileIndex(repositoryDir, 'cix')]);
    const parents = new Map([...roots.values()].map((e) => [keyString(e.key), e.parents.map((p) => keyString(p))]));
    return new RepositoryInventories(new PackTexts(repositoryDir, roots), parents, new PackTexts(repositoryDir, chk), limits);
  }

  /** Whether the repository holds an inventory of `revisionId`. */
  has(revisionId: string): boolean {
    return this.parents.has(revisionId);
  }

  /**
   * `repo._serializer.write_inventory_to_chunks(repo.get_inventory(revisionId))` of Breezy,
   * byte for byte, one chunk per line; null when the repository has no inventory of
   * `revisionId`. Throws BadInventoryError / BadChkPageError / BadPackRecordError on
   * malformed data, InventoryTooLargeError past its limits.
   */
  async xmlChunks(revisionId: string): Promise<Uint8Array[] | null> {
    const root = await this.root(revisionId);
    if (!root) return null;
    const entries: InventoryEntry[] = [];
    await this.walk(root.idToEntry, new Set(), (leaf) => entries.push(...leaf.entries));
    return inventoryXmlChunks(root.revisionId, root.rootId, entries);
  }

  /**
   * Breezy's `fileids_altered_by_revision_ids` of a 2a repository (what a bundle sends file
   * texts for): file id → the revisions of its texts that entries of these revisions'
   * inventories name and entries of their parents' (those outside the set, where present)
   * do not, the root's included (2a has rich roots). Throws NoSuchInventoryError when a
   * revision of the set has no inventory here; errors as xmlChunks.
   */
  async alteredFileIds(revisionIds: Iterable<string>): Promise<Map<string, Set<string>>> {
    const wanted = new Set(revisionIds);
    const parentIds = new Set<string>();
    for (const revisionId of wanted) {
      const parents = this.parents.get(revisionId);
      if (!parents) throw new NoSuchInventoryError(`no inventory of ${JSON.stringify(revisionId)}`);
      for (const parent of parents) if (!wanted.has(parent) && this.parents.has(parent)) parentIds.add(parent);
    }
    // A page met once need not be walked again: all its entries are counted already. So the
    // parents' pages, walked first, are skipped in the revisions' maps wherever shared.
    const seen = new Set<string>();
    const inParents = new Set<string>();
    for (const parentId of parentIds) {
      await this.walk(await this.idToEntryOf(parentId), seen, (leaf) => leaf.values.forEach((v) => inParents.add(v)));
    }
    const altered = new Map<string, Set<string>>();
    for (const revisionId of wanted) {
      await this.walk(await this.idToEntryOf(revisionId), seen, (leaf) =>
        leaf.values.forEach((value, i) => {
          if (inParents.has(value)) return;
          const { fileId, revision } = leaf.entries[i];
          const revisions = altered.get(fileId);
          if (revisions) revisions.add(revision);
          else altered.set(fileId, new Set([revision]));
        }),
      );
    }
    return altered;
  }

  private async root(revisionId: string): Promise<ChkInventoryRoot | null> {
    const text = await this.rootTexts.text(keyString([revisionId]));
    return text ? parseInventoryRoot(text, revisionId) : null;
  }

  private async idToEntryOf(revisionId: string): Promise<string> {
    const root = await this.root(revisionId);
    if (!root) throw new NoSuchInventoryError(`no inventory of ${JSON.stringify(revisionId)}`);
    return root.idToEntry;
  }

  /**
   * Every leaf of the map whose root page is `rootKey`, leaving out pages in `seen` (and
   * adding those it walks), within the limits.
   */
  private async walk(rootKey: string, seen: Set<string>, onLeaf: (leaf: LeafPage) => void): Promise<void> {
    const { maxDepth, maxPages, maxEntries } = this.limits;
    let pages = 0;
    let entries = 0;
    const pending = [{ key: rootKey, depth: 1 }];
    while (pending.length > 0) {
      const { key, depth } = pending.pop() as { key: string; depth: number };
      if (seen.has(key)) continue;
      seen.add(key);
      if (depth > maxDepth) throw new InventoryTooLargeError(`inventory map is deeper than ${maxDepth} pages`);
      if (++pages > maxPages) throw new InventoryTooLargeError(`inventory map has more than ${maxPages} pages`);
      const page = await this.page(key);
      if (page.kind === 'internal') {
        for (const child of page.children) pending.push({ key: child, depth: depth + 1 });
        continue;
      }
      entries += page.entries.length;
      if (entries > maxEntries) throw new InventoryTooLargeError(`inventory has more than ${maxEntries} entries`);
      onLeaf(page);
    }
  }

  private async page(key: string): Promise<ParsedPage> {
    const hit = this.pages.get(key);
    if (hit) {
      this.pages.delete(key);
      this.pages.set(key, hit);
      return hit;
    }
    const bytes = await this.chk.text(keyString([key]));
    if (!bytes) throw new BadInventoryError(`CHK page ${key} is not in the repository`);
    const page = parseChkPage(bytes);
    const parsed: ParsedPage =
      page.kind === 'leaf'
        ? { kind: 'leaf', entries: page.items.map((item) => parseInventoryEntry(item.value)), values: page.items.map((item) => item.value), size: bytes.length }
        : { kind: 'internal', children: page.children.map((c) => c.key), size: bytes.length };
    this.pages.set(key, parsed);
    this.cachedBytes += parsed.size;
    for (const [oldest, { size }] of this.pages) {
      if (this.cachedBytes <= CACHED_PAGE_BYTES) break;
      this.pages.delete(oldest);
      this.cachedBytes -= size;
    }
    return parsed;
  }
}
