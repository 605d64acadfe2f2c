/**
 * The v4 bundle `get_bundle` answers with, out of a 2a repository (breezy/bzr/bundle/
 * serializer/v4.py `BundleWriteOperation` from `null:`):
 *  - the revisions: the target and its ancestors (`find_unique_ancestors(target, [null:])`),
 *    ghosts left out — none when the target is not in the repository;
 *  - the info record (serializer `10`, rich root: what a 2a repository says);
 *  - a file record per text key (`.tix`) whose revision is one of them
 *    (`fileids_altered_by_revision_ids`), as an mpdiff against its per-file parents;
 *  - an inventory record per revision, an mpdiff of its serialised inventory against its
 *    parents' (the inventory chunks come from the caller);
 *  - a revision record per revision (the stored text, which is what
 *    `write_revision_to_string` gives for 2a) and a signature record where there is one,
 *    in topological order with the target last.
 * Records of one kind are each in `multiparent.topo_iter_keys` order (Breezy's own order
 * within a topological level follows Python set iteration, so differs from run to run).
 *
 * Bounded: the fulltexts read (texts, parents, inventories, revisions, signatures) may not
 * exceed a limit, and the work gives way to other connections after each compressed piece
 * and each slice of a diff (multiparent.ts DIFF_SLICE).
 */
import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { BundleV4Writer } from '../../../../shared/bzr-formats/bundle-v4';
import { NULL_REVISION } from '../../../../shared/bzr-formats/control-formats';
import { multiParentDiffSteps, multiParentPatch, splitLinesSteps, type Lines } from '../../../../shared/bzr-formats/multiparent';
import { concatBytes } from '../../../../shared/protocol/bytes';
import { runInTurns } from '../../../../shared/steps';
import type { MessageAnswer } from '../../core/server-call';
import { InventoryTooLargeError } from './chk-inventories';
import { keyString, readVersionedFileIndex, type IndexedText } from './pack-index';
import { PackTexts } from './pack-texts';
import type { ParentMap } from './revision-graph';

/** A revision's inventory as Breezy serialises it (`write_inventory_to_chunks`). */
export type InventoryChunks = (revisionId: string) => Promise<Uint8Array[]>;

/** The fulltext bytes one bundle may read before it is refused. */
export const MAX_BUNDLE_TEXT_BYTES = 32 * 1024 * 1024;

export class BundleTooLargeError extends Error {
  override readonly name = 'BundleTooLargeError';
  constructor(readonly limit: number) {
    super(`the bundle's texts exceed the built-in backend's limit of ${limit} bytes`);
  }
}

/** The 2a repository's `get_serializer_format()` and `supports_rich_root()`. */
const SERIALIZER_2A = '10';

class TextBudget {
  private used = 0;
  constructor(private readonly limit: number) {}

  charge(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limit) throw new BundleTooLargeError(this.limit);
  }
}

/**
 * `graph.find_unique_ancestors(target, [null:])` with ghosts stripped: the target and every
 * revision it descends from that the repository has, in no particular order.
 */
export function bundleRevisionIds(parents: ParentMap, target: string): string[] {
  if (!parents.has(target)) return [];
  const seen = new Set([target]);
  const queue = [target];
  for (let at = 0; at < queue.length; at++) {
    for (const p of parents.get(queue[at]) ?? []) {
      if (!seen.has(p) && parents.has(p)) {
        seen.add(p);
        queue.push(p);
      }
    }
  }
  return queue;
}

/**
 * `multiparent._topo_iter`: `keys` in waves, each key once all its parents among `keys`
 * came before it.
 */
export function topoIterKeys(parentsOf: (key: string) => readonly string[], keys: readonly string[]): string[] {
  const wanted = new Set(keys);
  const seen = new Set<string>();
  const descendants = new Map<string, string[]>();
  const pending = (key: string) => parentsOf(key).some((p) => wanted.has(p) && !seen.has(p));
  for (const key of keys) {
    for (const p of parentsOf(key)) {
      const list = descendants.get(p);
      if (list) list.push(key);
      else descendants.set(p, [key]);
    }
  }
  const order: string[] = [];
  let current = keys.filter((k) => !pending(k));
  while (current.length > 0) {
    const next: string[] = [];
    for (const key of current) {
      if (seen.has(key) || pending(key)) continue;
      next.push(...(descendants.get(key) ?? []));
      order.push(key);
      seen.add(key);
    }
    current = next;
  }
  return order;
}

/** One versioned file's texts for mpdiffs: parents by key, and the fulltext of a key. */
interface MultiParentSource {
  /** The key's parents (ghosts included). */
  parentsOf(key: string): readonly string[];
  /** Whether the repository has the key's text (a parent that is not there is a ghost). */
  has(key: string): boolean;
  chunks(key: string): Promise<Uint8Array | Uint8Array[]>;
}

interface MultiParentRecord {
  key: string;
  sha1: string;
  patch: Uint8Array;
}

/** How a bundle is built: its fulltext limit, and how its work gives way to other connections. */
export interface BundleOptions {
  /** Fulltext bytes read at most (BundleTooLargeError past it). */
  limit?: number;
  /** Awaited between pieces of work: the next turn of the event loop (a test counts them). */
  giveWay?: () => Promise<unknown>;
}

const nextTurn = () => setImmediate();

/** Bytes hashed per turn: the sha1 of a 30 MB text is tens of milliseconds. */
const SHA1_SLICE = 4 * 1024 * 1024;

async function sha1InTurns(chunks: readonly Uint8Array[], giveWay: () => Promise<unknown>): Promise<string> {
  const sha1 = createHash('sha1');
  for (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += SHA1_SLICE) {
      if (at > 0) await giveWay();
      sha1.update(chunk.subarray(at, at + SHA1_SLICE));
    }
  }
  return sha1.digest('hex');
}

/**
 * `_MPDiffGenerator`: each key's mpdiff against its present parents, in the order given
 * (parents first), keeping a text's lines only while a later key still needs them.
 */
async function* multiParentRecords(source: MultiParentSource, ordered: readonly string[], budget: TextBudget, giveWay: () => Promise<unknown>): AsyncGenerator<MultiParentRecord> {
  const inSet = new Set(ordered);
  const refcounts = new Map<string, number>();
  for (const key of ordered) for (const p of source.parentsOf(key)) if (source.has(p)) refcounts.set(p, (refcounts.get(p) ?? 0) + 1);
  const kept = new Map<string, Lines>();
  const read = async (key: string): Promise<{ lines: Lines; bytes: Uint8Array[] }> => {
    const chunks = await source.chunks(key);
    const bytes = chunks instanceof Uint8Array ? [chunks] : chunks;
    budget.charge(bytes.reduce((n, c) => n + c.length, 0));
    return { lines: await runInTurns(splitLinesSteps(bytes), giveWay), bytes };
  };
  const parentLines = async (p: string): Promise<Lines> => {
    // A parent outside the set (a present parent Breezy reads but does not send) is read here.
    const lines = kept.get(p) ?? (inSet.has(p) ? null : (await read(p)).lines);
    if (lines === null) throw new Error(`bundle: parent ${JSON.stringify(p)} came after its child`);
    const left = (refcounts.get(p) ?? 1) - 1;
    if (left === 0) {
      refcounts.delete(p);
      kept.delete(p);
    } else {
      refcounts.set(p, left);
      kept.set(p, lines);
    }
    return lines;
  };
  for (const key of ordered) {
    const present = source.parentsOf(key).filter((p) => source.has(p));
    const parents: Lines[] = [];
    for (const p of present) parents.push(await parentLines(p));
    const { lines, bytes } = await read(key);
    const sha1 = await sha1InTurns(bytes, giveWay);
    if (refcounts.has(key)) kept.set(key, lines);
    yield { key, sha1, patch: multiParentPatch(await runInTurns(multiParentDiffSteps(lines, parents), giveWay)) };
  }
}

/**
 * The bundle of `target` and its ancestors, as the body of Breezy's `get_bundle` answer.
 * Throws BundleTooLargeError past `limit` fulltext bytes read.
 */
export async function writeBundle(
  repositoryDir: string,
  target: string,
  revisionParents: ParentMap,
  inventoryChunks: InventoryChunks,
  { limit = MAX_BUNDLE_TEXT_BYTES, giveWay = nextTurn }: BundleOptions = {},
): Promise<Uint8Array[]> {
  const budget = new TextBudget(limit);
  const revisionIds = bundleRevisionIds(revisionParents, target);
  const writer = new BundleV4Writer();
  const out: Uint8Array[] = [];
  // Each step compresses at most one bzip2 block; other connections get their turn between.
  const emit = async (steps: Iterable<Uint8Array>) => {
    for (const piece of steps) {
      out.push(piece);
      await giveWay();
    }
  };
  await emit(writer.begin());
  await emit(writer.addInfo(SERIALIZER_2A, true));
  if (revisionIds.length > 0) {
    const wanted = new Set(revisionIds);
    const [textIndex, inventoryIndex, revisionIndex, signatureIndex] = await Promise.all(
      (['tix', 'iix', 'rix', 'six'] as const).map((kind) => readVersionedFileIndex(repositoryDir, kind)),
    );

    // File texts: (file id, revision) keys of the bundle's revisions.
    const textKeys = [...textIndex.values()].filter((t) => wanted.has(t.key[1])).map((t) => keyString(t.key)).sort();
    const textPacks = new PackTexts(repositoryDir, textIndex);
    const texts: MultiParentSource = {
      parentsOf: (key) => (textIndex.get(key)?.parents ?? []).map(keyString),
      has: (key) => textIndex.has(key),
      chunks: async (key) => {
        const text = await textPacks.text(key);
        if (text === null) throw new Error(`bundle: text ${JSON.stringify(key)} is not in the repository`);
        return text;
      },
    };
    for await (const r of multiParentRecords(texts, topoIterKeys(texts.parentsOf, textKeys), budget, giveWay)) {
      const entry = textIndex.get(r.key) as IndexedText;
      await emit(writer.addMultiParent('file', entry.key[1], entry.key[0], r.patch, r.sha1, entry.parents.map((p) => p[p.length - 1])));
    }

    // Inventories, in topological order over the inventories' own graph.
    const inventoryParents = (revid: string) => (inventoryIndex.get(revid)?.parents ?? []).map((p) => p[0]);
    const topological = topoIterKeys(inventoryParents, [...revisionIds].sort());
    const inventories: MultiParentSource = { parentsOf: inventoryParents, has: (revid) => inventoryIndex.has(revid), chunks: inventoryChunks };
    for await (const r of multiParentRecords(inventories, topological, budget, giveWay)) {
      await emit(writer.addMultiParent('inventory', r.key, null, r.patch, r.sha1, inventoryParents(r.key)));
    }

    // Revisions and signatures, the target last.
    const revisionTexts = new PackTexts(repositoryDir, revisionIndex);
    const signatureTexts = new PackTexts(repositoryDir, signatureIndex);
    for (const revid of [...topological.filter((r) => r !== target), target]) {
      const stored = revisionParents.get(revid) ?? [];
      // Repository.get_parent_map names null: as the parent of a revision without parents.
      const parents = stored.length > 0 ? stored : [NULL_REVISION];
      const text = await revisionTexts.text(revid);
      if (text === null) throw new Error(`bundle: revision ${JSON.stringify(revid)} is indexed but has no text`);
      budget.charge(text.length);
      await emit(writer.addFulltext('revision', revid, text, parents));
      const signature = await signatureTexts.text(revid);
      if (signature !== null) {
        budget.charge(signature.length);
        await emit(writer.addFulltext('signature', revid, signature, parents));
      }
    }
  }
  await emit(writer.end());
  return out;
}

/**
 * GetBundleRequest's answer for the repository at `repositoryDir`: `()` and the bundle, or
 * an error answer naming the limit when the bundle, or an inventory in it, would be too large.
 */
export async function bundleAnswer(repositoryDir: string, target: string, revisionParents: ParentMap, inventoryChunks: InventoryChunks, opts: BundleOptions = {}): Promise<MessageAnswer> {
  try {
    return { status: 'S', args: [], body: concatBytes(await writeBundle(repositoryDir, target, revisionParents, inventoryChunks, opts)) };
  } catch (err) {
    if (err instanceof BundleTooLargeError || err instanceof InventoryTooLargeError) return { status: 'E', args: ['error', `hpss: get_bundle refused: ${err.message}`] };
    throw err;
  }
}
