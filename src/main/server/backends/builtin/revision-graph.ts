/**
 * A 2a repository's revision graph, read from its revision indexes (pack-index.ts; key:
 * revision id, one reference list: its parents), kept between calls while `pack-names` is
 * unchanged.
 */
import { stat } from 'node:fs/promises';
import { NULL_REVISION } from '../../../../shared/bzr-formats/control-formats';
import { readVersionedFileIndex, type TextLocation } from './pack-index';

/** Revision id → parent ids, in the order the index lists them. */
export type ParentMap = Map<string, readonly string[]>;

/** What a repository's revision indexes say: the graph, and where each revision's text is. */
export interface RevisionIndex {
  parents: ParentMap;
  texts: Map<string, TextLocation>;
}

async function readRevisionIndex(repositoryDir: string): Promise<RevisionIndex> {
  const parents: ParentMap = new Map();
  const texts = new Map<string, TextLocation>();
  for (const [revid, entry] of await readVersionedFileIndex(repositoryDir, 'rix')) {
    parents.set(revid, entry.parents.map((ref) => ref[0]));
    texts.set(revid, entry);
  }
  return { parents, texts };
}

/** Repositories whose graph is kept between calls (a `brz log` asks many times). */
const CACHED_REPOSITORIES = 16;

/**
 * The parent maps of recently asked repositories, each valid while its `pack-names` is the
 * same file: Breezy rewrites it (a new file renamed into place) whenever packs change.
 */
export class ParentMapCache {
  private readonly entries = new Map<string, { stamp: string; index: RevisionIndex }>();

  async get(repositoryDir: string): Promise<ParentMap> {
    return (await this.index(repositoryDir)).parents;
  }

  async index(repositoryDir: string): Promise<RevisionIndex> {
    const info = await stat(`${repositoryDir}/pack-names`);
    const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    const hit = this.entries.get(repositoryDir);
    if (hit?.stamp === stamp) return hit.index;
    const index = await readRevisionIndex(repositoryDir);
    this.entries.delete(repositoryDir);
    this.entries.set(repositoryDir, { stamp, index });
    if (this.entries.size > CACHED_REPOSITORIES) this.entries.delete(this.entries.keys().next().value as string);
    return index;
  }
}

/**
 * Repository.get_revision_graph's lines: each revision reachable from `tip` (all when '')
 * with its parents, `null:` and ghosts left out (`_strip_NULL_ghosts`). null when `tip` is
 * not in the repository.
 */
export function revisionGraphLines(parents: ParentMap, tip: string): string[] | null {
  let ids: Iterable<string>;
  if (tip === '') ids = parents.keys();
  else {
    if (!parents.has(tip)) return null;
    const seen = new Set<string>([tip]);
    const queue = [tip];
    while (queue.length > 0) {
      for (const p of parents.get(queue.shift() as string) ?? []) {
        if (!seen.has(p) && parents.has(p)) {
          seen.add(p);
          queue.push(p);
        }
      }
    }
    ids = seen;
  }
  const lines: string[] = [];
  for (const id of ids) {
    const present = (parents.get(id) ?? []).filter((p) => p !== NULL_REVISION && parents.has(p));
    lines.push([id, ...present].join(' '));
  }
  return lines;
}
