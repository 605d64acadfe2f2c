/**
 * Repository.get_parent_map's answer (breezy/bzr/smart/repository.py
 * SmartServerRepositoryGetParentMap): the parents of the requested revisions, then of their
 * ancestors breadth first until the answer is large enough, leaving out what the client
 * says it has already seen. The body is the lines `REV PARENT…`, sorted, bzip2-compressed.
 *
 * The client's search recipe ("START KEYS\nEXCLUDE KEYS\nCOUNT") is replayed to learn what it
 * has seen: a breadth-first walk from the start keys that does not go past the exclude keys.
 * Breezy also refuses a recipe whose count does not match (`NoSuchRevision`); we only use it
 * to leave revisions out, so a stale recipe costs a larger answer, not an error.
 */
import { NULL_REVISION } from '../../../../shared/bzr-formats/control-formats';
import type { ParentMap } from './revision-graph';

/** Breezy stops adding ancestors past ~64 KiB compressed; ours counts uncompressed bytes. */
const EXTRA_RESULTS_BUDGET_BYTES = 256 * 1024;
const INCLUDE_MISSING = 'include-missing:';

function parentsOf(map: ParentMap, rev: string): readonly string[] | undefined {
  return rev === NULL_REVISION ? [] : map.get(rev);
}

/** What the client's recipe says it has seen. */
function seenByClient(map: ParentMap, recipe: string): Set<string> {
  const [startLine = '', excludeLine = ''] = recipe.split('\n');
  const exclude = new Set(excludeLine.split(' '));
  const seen = new Set<string>();
  let query = new Set([...startLine.split(' ')].filter((k) => !exclude.has(k)));
  while (query.size > 0) {
    const next = new Set<string>();
    for (const rev of query) {
      seen.add(rev);
      for (const p of parentsOf(map, rev) ?? []) if (!seen.has(p) && !exclude.has(p) && !query.has(p)) next.add(p);
    }
    query = next;
  }
  for (const rev of seen) if (!parentsOf(map, rev)) seen.delete(rev);
  return seen;
}

/** The answer's lines for `requested` (which may hold `include-missing:`). */
export function parentMapLines(map: ParentMap, requested: readonly string[], recipe: string): string[] {
  const wanted = new Set(requested);
  const includeMissing = wanted.delete(INCLUDE_MISSING);
  const clientSeen = seenByClient(map, recipe);
  for (const rev of wanted) clientSeen.delete(rev);
  const result = new Map<string, readonly string[]>();
  const queried = new Set<string>();
  let size = 0;
  let next = wanted;
  let firstLoopDone = false;
  while (next.size > 0) {
    for (const rev of next) queried.add(rev);
    const following = new Set<string>();
    for (const rev of next) {
      let parents = parentsOf(map, rev);
      let key = rev;
      if (parents === undefined) {
        key = `missing:${rev}`;
        parents = [];
        if (!includeMissing || clientSeen.has(rev)) continue;
      } else {
        if (parents.length === 1 && parents[0] === NULL_REVISION) parents = [];
        for (const p of parents) following.add(p);
        if (clientSeen.has(rev)) continue;
      }
      result.set(key, parents);
      size += key.length + 1 + parents.join(' ').length + 1;
    }
    if (firstLoopDone && size > EXTRA_RESULTS_BUDGET_BYTES) break;
    next = new Set([...following].filter((r) => !queried.has(r)));
    firstLoopDone = true;
  }
  const keys = [...result.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return keys.map((k) => [k, ...(result.get(k) as readonly string[])].join(' '));
}
