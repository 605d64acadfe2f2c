/**
 * Walks along first parents (a branch's main line), as Breezy's Graph.iter_lefthand_ancestry
 * and Repository.get_rev_id_for_revno do: over a repository's parent map, a revision not in
 * it ends the walk with RevisionNotPresentError naming it.
 */
import { NULL_REVISION } from '../../../../shared/bzr-formats/control-formats';
import type { ParentMap } from './revision-graph';

export class RevisionNotPresentError extends Error {
  override readonly name = 'RevisionNotPresentError';
  constructor(readonly revid: string) {
    super(`revision ${revid} not present`);
  }
}

/** `start`, then its first parent, and so on, up to (not including) `null:`; a missing one throws. */
export function* iterLefthand(parents: ParentMap, start: string): Generator<string> {
  let key: string | undefined = start;
  while (key !== undefined && key !== NULL_REVISION) {
    const ps = parents.get(key);
    if (ps === undefined) throw new RevisionNotPresentError(key);
    yield key;
    key = ps[0];
  }
}

export type RevIdForRevno =
  | { kind: 'ok'; revid: string }
  | { kind: 'history-incomplete'; revno: number; revid: string }
  | { kind: 'nosuchrevision'; revid: string }
  | { kind: 'revno-outofbounds'; revno: number; minimum: number; maximum: number };

/**
 * Repository.get_rev_id_for_revno: the revision at `revno` on the main line through a known
 * (revno, revid); when the line runs out first (a ghost, or a stacked repository's edge), the
 * earliest revision reached and its revno.
 */
export function revIdForRevno(parents: ParentMap, revno: number, knownRevno: number, knownRevid: string): RevIdForRevno {
  const distance = knownRevno - revno;
  if (distance < 0) return { kind: 'revno-outofbounds', revno, minimum: 0, maximum: knownRevno };
  const history = [knownRevid];
  const walk = iterLefthand(parents, knownRevid);
  try {
    walk.next();
    while (history.length <= distance) {
      const step = walk.next();
      if (step.done) break;
      history.push(step.value);
    }
  } catch (err) {
    if (!(err instanceof RevisionNotPresentError)) throw err;
    if (err.revid === knownRevid) return { kind: 'nosuchrevision', revid: knownRevid };
    history.push(err.revid);
  }
  const last = history[history.length - 1];
  if (history.length <= distance) return { kind: 'history-incomplete', revno: knownRevno - history.length + 1, revid: last };
  return { kind: 'ok', revid: last };
}
