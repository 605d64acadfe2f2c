/**
 * Dotted revision numbers as Breezy gives them (`Branch.revision_id_to_dotted_revno` through
 * `breezy/tsort.py` MergeSorter with generate_revno): the merge-sorted walk from the branch
 * tip numbers each revision when it is popped. A revision whose left-hand parent is numbered
 * continues that parent's line (last component + 1) if it is that parent's first child to be
 * pushed, else it starts a new line `(base, n, 1)`, n counted per base revno; a revision with
 * no parents is `(1,)`, later roots `(0, n, 1)`. Main-line revisions come out `(revno,)`.
 */

/** Revision id → its parent ids (left-hand first); a parent missing from the map is a ghost. */
export type RevisionParents = ReadonlyMap<string, readonly string[]>;

interface Frame {
  id: string;
  pending: string[];
  leftPushed: boolean;
  /** Whether this revision was its left-hand parent's first child pushed (null: no numbered parent). */
  firstChild: boolean | null;
}

/** Each revision reachable from `tip` → its dotted revno. */
export function dottedRevnos(parents: RevisionParents, tip: string): Map<string, number[]> {
  const revnos = new Map<string, number[]>();
  const firstChildFree = new Set(parents.keys());
  const unvisited = new Set(parents.keys());
  const branchCount = new Map<number, number>();
  const stack: Frame[] = [];
  const push = (id: string): void => {
    unvisited.delete(id);
    const ps = parents.get(id) ?? [];
    let firstChild: boolean | null = null;
    if (ps.length > 0 && parents.has(ps[0])) {
      firstChild = firstChildFree.has(ps[0]);
      firstChildFree.delete(ps[0]);
    }
    stack.push({ id, pending: [...ps], leftPushed: false, firstChild });
  };
  const pop = (): void => {
    const { id, firstChild } = stack.pop() as Frame;
    const ps = parents.get(id) ?? [];
    const parentRevno = ps.length > 0 ? revnos.get(ps[0]) : undefined;
    let revno: number[];
    if (parentRevno !== undefined) {
      if (!firstChild) {
        const base = parentRevno[0];
        const n = (branchCount.get(base) ?? 0) + 1;
        branchCount.set(base, n);
        revno = [base, n, 1];
      } else {
        revno = [...parentRevno.slice(0, -1), parentRevno[parentRevno.length - 1] + 1];
      }
    } else {
      const roots = (branchCount.get(0) ?? -1) + 1;
      branchCount.set(0, roots);
      revno = roots === 0 ? [1] : [0, roots, 1];
    }
    revnos.set(id, revno);
  };
  if (!parents.has(tip)) return revnos;
  push(tip);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    let pushed = false;
    while (top.pending.length > 0) {
      // The left-hand parent first, then the others from the last.
      const next = top.leftPushed ? (top.pending.pop() as string) : (top.pending.shift() as string);
      top.leftPushed = true;
      if (revnos.has(next) || !unvisited.has(next)) {
        if (!revnos.has(next) && parents.has(next)) throw new Error(`revision graph has a cycle through ${next}`);
        continue;
      }
      push(next);
      pushed = true;
      break;
    }
    if (!pushed) pop();
  }
  return revnos;
}
