/**
 * Dotted revnos against Breezy's own merge sort (the KnownGraph.merge_sort a branch uses,
 * run by Breezy's Python) on generated histories: lines started off old revisions, merges
 * of merges, several lines off one revision, criss-cross merges, a second root, ghosts.
 */
import { expect, test } from 'vitest';
import { dottedRevnos } from '../../../src/shared/bzr-formats/dotted-revnos';
import { runBreezyPython } from '../../support/breezy-python';

const KNOWN_GRAPH_REVNOS = `
import json, sys
from breezy._known_graph_pyx import KnownGraph
cases = json.load(sys.stdin)
out = []
for parents, tip in cases:
    g = KnownGraph({(k,): tuple((p,) for p in ps) for k, ps in parents.items()})
    out.append({n.key[0]: list(n.revno) for n in g.merge_sort((tip,))})
print(json.dumps(out))
`;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A history: each new revision's left parent a recent one, sometimes a merge of an older one. */
function history(rand: () => number, size: number, ghosts: boolean): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  const ids: string[] = [];
  for (let i = 0; i < size; i++) {
    const id = `r${i}`;
    const ps: string[] = [];
    if (ids.length > 0 && !(i > 3 && rand() < 0.04)) ps.push(ids[Math.max(0, ids.length - 1 - Math.floor(rand() * 4))]);
    if (ids.length > 2 && rand() < 0.35) {
      const other = ids[Math.floor(rand() * ids.length)];
      if (!ps.includes(other)) ps.push(other);
    }
    if (ghosts && rand() < 0.05) ps.push(`ghost${i}`);
    parents.set(id, ps);
    ids.push(id);
  }
  return parents;
}

test('the same dotted revno for every revision as Breezy, on sixty generated histories', () => {
  const rand = prng(20261202);
  const cases = Array.from({ length: 60 }, (_, i) => {
    const parents = history(rand, 5 + Math.floor(rand() * 60), i % 3 === 0);
    return { parents, tip: `r${parents.size - 1}` };
  });
  const theirs = runBreezyPython<Record<string, number[]>[]>(KNOWN_GRAPH_REVNOS, cases.map((c) => [Object.fromEntries(c.parents), c.tip]));
  let dotted = 0;
  cases.forEach((c, i) => {
    const ours = Object.fromEntries(dottedRevnos(c.parents, c.tip));
    expect({ case: i, revnos: ours }).toEqual({ case: i, revnos: theirs[i] });
    dotted += Object.values(ours).filter((r) => r.length > 1).length;
  });
  expect(dotted).toBeGreaterThan(100);
});

test('a tip not in the graph numbers nothing; a cycle is refused', () => {
  expect(dottedRevnos(new Map([['a', []]]), 'b').size).toBe(0);
  expect(() => dottedRevnos(new Map([['a', ['b']], ['b', ['a']]]), 'a')).toThrow(/cycle/);
});
