/**
 * A 2a repository's inventories as Breezy's inventory XML (what a v4 bundle diffs, see
 * src/shared/bzr-formats/chk-inventory.ts): each revision's root text read from the `.iix`
 * versioned file, its `id_to_entry` map walked page by page through the `.cix` CHK pages
 * (src/shared/bzr-formats/chk-map.ts), all out of the packs (pack-index.ts, pack-texts.ts).
 */
import { BadInventoryError, inventoryXmlChunks, parseInventoryEntry, parseInventoryRoot, type InventoryEntry } from '../../../../shared/bzr-formats/chk-inventory';
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
 * entries. Bounded by bytes, not pages, so a whole inventory of some 100,000 entries stays
 * cached (a walk in the same order over more pages than an LRU holds would never hit).
 */
const CACHED_PAGE_BYTES = 32 * 1024 * 1024;

export class InventoryTooLargeError extends Error {
  override readonly name = 'InventoryTooLargeError';
}

type ParsedPage = ({ kind: 'leaf'; entries: InventoryEntry[] } | { kind: 'internal'; children: string[] }) & { size: number };

/**
 * The inventories of one repository, with its `.iix` and `.cix` indexes read once (open):
 * ask for several revisions through one instance. Packs added after open are not seen.
 */
export class RepositoryInventories {
  private readonly pages = new Map<string, ParsedPage>();
  private cachedBytes = 0;

  private constructor(
    private readonly roots: PackTexts,
    private readonly chk: PackTexts,
    private readonly limits: InventoryLimits,
  ) {}

  static async open(repositoryDir: string, limits: InventoryLimits = DEFAULT_LIMITS): Promise<RepositoryInventories> {
    const [roots, chk] = await Promise.all([readVersionedFileIndex(repositoryDir, 'iix'), readVersionedFileIndex(repositoryDir, 'cix')]);
    return new RepositoryInventories(new PackTexts(repositoryDir, roots), new PackTexts(repositoryDir, chk), limits);
  }

  /**
   * `repo._serializer.write_inventory_to_chunks(repo.get_inventory(revisionId))` of Breezy,
   * byte for byte, one chunk per line; null when the repository has no inventory of
   * `revisionId`. Throws BadInventoryError / BadChkPageError / BadPackRecordError on
   * malformed data, InventoryTooLargeError past its limits.
   */
  async xmlChunks(revisionId: string): Promise<Uint8Array[] | null> {
    const text = await this.roots.text(keyString([revisionId]));
    if (!text) return null;
    const root = parseInventoryRoot(text, revisionId);
    return inventoryXmlChunks(root.revisionId, root.rootId, await this.entries(root.idToEntry));
  }

  /** Every entry of the `id_to_entry` map whose root page is `rootKey`. */
  private async entries(rootKey: string): Promise<InventoryEntry[]> {
    const { maxDepth, maxPages, maxEntries } = this.limits;
    const entries: InventoryEntry[] = [];
    const seen = new Set<string>();
    const pending = [{ key: rootKey, depth: 1 }];
    while (pending.length > 0) {
      const { key, depth } = pending.pop() as { key: string; depth: number };
      if (depth > maxDepth) throw new InventoryTooLargeError(`inventory map is deeper than ${maxDepth} pages`);
      if (seen.has(key)) throw new BadInventoryError(`inventory map reaches CHK page ${key} twice`);
      seen.add(key);
      if (seen.size > maxPages) throw new InventoryTooLargeError(`inventory map has more than ${maxPages} pages`);
      const page = await this.page(key);
      if (page.kind === 'internal') {
        for (const child of page.children) pending.push({ key: child, depth: depth + 1 });
        continue;
      }
      if (entries.length + page.entries.length > maxEntries) throw new InventoryTooLargeError(`inventory has more than ${maxEntries} entries`);
      entries.push(...page.entries);
    }
    return entries;
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
        ? { kind: 'leaf', entries: page.items.map((item) => parseInventoryEntry(item.value)), size: bytes.length }
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
