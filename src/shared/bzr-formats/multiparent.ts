/**
 * Breezy's multi-parent diffs (breezy/multiparent.py), byte for byte: how a v4 bundle carries
 * file texts and inventories. A text is split into lines as `osutils.split_lines` does (each
 * line keeps its `\n`; a last line without one stays; no empty last line), compared with each
 * parent by patience diff (patiencediff's C matcher, which Breezy loads: unique-line LCS by
 * patience sorting, recursing between matches at most 10 deep, then matching equal heads and
 * tails), and described as hunks: `c PARENT PARENT_POS CHILD_POS N` (N lines of a parent) or
 * `i N` + the N new lines + `\n`.
 */

import { concatBytes } from '../protocol/bytes';
import { byteString } from '../protocol/text';

export type Lines = readonly Uint8Array[];

/** One matching block: a[a..a+n] equals b[b..b+n]. */
export interface MatchingBlock {
  a: number;
  b: number;
  n: number;
}

export type Hunk = { kind: 'new'; lines: Uint8Array[] } | { kind: 'parent'; parent: number; parentPos: number; childPos: number; numLines: number };

const NEWLINE = 0x0a;
const ascii = new TextEncoder();

/** `osutils.split_lines` / `chunks_to_lines`: lines of the joined chunks, each with its `\n`. */
export function splitLines(chunks: Uint8Array | readonly Uint8Array[]): Uint8Array[] {
  const bytes = chunks instanceof Uint8Array ? chunks : concatBytes(chunks);
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) {
    lines.push(bytes.subarray(start, i + 1));
    start = i + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

/** Each distinct line as a small integer, shared by all texts compared together. */
class LineIds {
  private readonly ids = new Map<string, number>();

  of(lines: Lines): Int32Array {
    const out = new Int32Array(lines.length);
    lines.forEach((line, i) => {
      const key = byteString(line);
      let id = this.ids.get(key);
      if (id === undefined) this.ids.set(key, (id = this.ids.size));
      out[i] = id;
    });
    return out;
  }
}

/** Leftmost index in sorted `list` whose value is not below `item`. */
function bisectLeft(list: number[], item: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < item) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The longest common subsequence of the lines unique in both a[alo..ahi] and b[blo..bhi],
 * by patience sorting: [apos, bpos] pairs, ascending.
 */
function uniqueLcs(a: Int32Array, b: Int32Array, alo: number, blo: number, ahi: number, bhi: number): [number, number][] {
  const inA = new Map<number, number>(); // line → its position, or -1 when repeated
  for (let i = alo; i < ahi; i++) inA.set(a[i], inA.has(a[i]) ? -1 : i);
  const inB = new Map<number, number>();
  for (let j = blo; j < bhi; j++) inB.set(b[j], inB.has(b[j]) ? -1 : j);
  const stacks: number[] = []; // a positions on top of each pile
  const lasts: number[] = []; // the b position of each pile's top
  const backpointers = new Map<number, number>();
  const btoa = new Map<number, number>();
  for (let j = blo; j < bhi; j++) {
    const apos = inA.get(b[j]);
    if (apos === undefined || apos < 0 || inB.get(b[j]) !== j) continue;
    btoa.set(j, apos);
    const k = bisectLeft(stacks, apos);
    if (k > 0) backpointers.set(j, lasts[k - 1]);
    stacks[k] = apos;
    lasts[k] = j;
  }
  const result: [number, number][] = [];
  for (let m = lasts.at(-1); m !== undefined; m = backpointers.get(m)) result.push([btoa.get(m) as number, m]);
  return result.reverse();
}

/** patiencediff's recurse_matches: matching line pairs, appended to `answer` in order. */
function recurseMatches(a: Int32Array, b: Int32Array, alo: number, blo: number, ahi: number, bhi: number, answer: [number, number][], maxRecursion: number): void {
  // The C matcher stops quietly past the depth (the Python one raises): Breezy runs the C one.
  if (maxRecursion < 0 || alo === ahi || blo === bhi) return;
  let lastA = alo - 1;
  let lastB = blo - 1;
  let found = false;
  for (const [apos, bpos] of uniqueLcs(a, b, alo, blo, ahi, bhi)) {
    if (lastA + 1 !== apos || lastB + 1 !== bpos) recurseMatches(a, b, lastA + 1, lastB + 1, apos, bpos, answer, maxRecursion - 1);
    lastA = apos;
    lastB = bpos;
    answer.push([apos, bpos]);
    found = true;
  }
  if (found) recurseMatches(a, b, lastA + 1, lastB + 1, ahi, bhi, answer, maxRecursion - 1);
  else if (a[alo] === b[blo]) {
    while (alo < ahi && blo < bhi && a[alo] === b[blo]) answer.push([alo++, blo++]);
    recurseMatches(a, b, alo, blo, ahi, bhi, answer, maxRecursion - 1);
  } else if (a[ahi - 1] === b[bhi - 1]) {
    let nahi = ahi - 1;
    let nbhi = bhi - 1;
    while (nahi > alo && nbhi > blo && a[nahi - 1] === b[nbhi - 1]) {
      nahi--;
      nbhi--;
    }
    recurseMatches(a, b, lastA + 1, lastB + 1, nahi, nbhi, answer, maxRecursion - 1);
    for (let i = 0; i < ahi - nahi; i++) answer.push([nahi + i, nbhi + i]);
  }
}

/** `PatienceSequenceMatcher(None, a, b).get_matching_blocks()`, ending with (len a, len b, 0). */
export function matchingBlocks(a: Int32Array, b: Int32Array): MatchingBlock[] {
  const pairs: [number, number][] = [];
  recurseMatches(a, b, 0, 0, a.length, b.length, pairs, 10);
  const blocks: MatchingBlock[] = [];
  for (const [i, j] of pairs) {
    const last = blocks.at(-1);
    if (last && i === last.a + last.n && j === last.b + last.n) last.n++;
    else blocks.push({ a: i, b: j, n: 1 });
  }
  blocks.push({ a: a.length, b: b.length, n: 0 });
  return blocks;
}

/**
 * `MultiParent.from_lines(text, parents)`: walking the text, each line starts the longest
 * run any parent's matching blocks offer there (the first parent on a tie), else it is new.
 */
export function multiParentDiff(text: Lines, parents: readonly Lines[]): Hunk[] {
  const ids = new LineIds();
  const textIds = ids.of(text);
  const comparisons = parents.map((p) => matchingBlocks(ids.of(p), textIds));
  const cursor = comparisons.map(() => 0);
  const hunks: Hunk[] = [];
  let fresh: Uint8Array[] = [];
  let cur = 0;
  while (cur < text.length) {
    let match: (Hunk & { kind: 'parent' }) | null = null;
    for (let p = 0; p < comparisons.length; p++) {
      const blocks = comparisons[p];
      while (cursor[p] < blocks.length && blocks[cursor[p]].b + blocks[cursor[p]].n <= cur) cursor[p]++;
      const block = blocks[cursor[p]];
      if (!block || block.b > cur) continue;
      const offset = cur - block.b;
      const n = block.n - offset;
      if (n > 0 && (!match || n > match.numLines)) match = { kind: 'parent', parent: p, parentPos: block.a + offset, childPos: cur, numLines: n };
    }
    if (!match) {
      fresh.push(text[cur]);
      cur++;
      continue;
    }
    if (fresh.length > 0) {
      hunks.push({ kind: 'new', lines: fresh });
      fresh = [];
    }
    hunks.push(match);
    cur += match.numLines;
  }
  if (fresh.length > 0) hunks.push({ kind: 'new', lines: fresh });
  return hunks;
}

/** `b''.join(MultiParent.to_patch())`. */
export function multiParentPatch(hunks: readonly Hunk[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const hunk of hunks) {
    if (hunk.kind === 'parent') parts.push(ascii.encode(`c ${hunk.parent} ${hunk.parentPos} ${hunk.childPos} ${hunk.numLines}\n`));
    else parts.push(ascii.encode(`i ${hunk.lines.length}\n`), ...hunk.lines, ascii.encode('\n'));
  }
  return concatBytes(parts);
}
