/**
 * Breezy's multi-parent diffs (breezy/multiparent.py), byte for byte: how a v4 bundle carries
 * file texts and inventories. A text is split into lines as `osutils.split_lines` does (each
 * line keeps its `\n`; a last line without one stays; no empty last line), compared with each
 * parent by patience diff (patiencediff's C matcher, which Breezy loads: unique-line LCS by
 * patience sorting, recursing between matches at most 10 deep, then matching equal heads and
 * tails), and described as hunks: `c PARENT PARENT_POS CHILD_POS N` (N lines of a parent) or
 * `i N` + the N new lines + `\n`.
 *
 * The diff is written as steps (generators that yield after each slice of work) so a server
 * diffing a 30 MB text still serves its other connections; `multiParentDiff` runs them at once.
 */

import { concatBytes } from '../protocol/bytes';
import { runToEnd, type Steps } from '../steps';

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
  return runToEnd(splitLinesSteps(chunks));
}

/** `splitLines` as steps: pauses after each DIFF_SLICE lines (a 30 MB text is 650,000). */
export function* splitLinesSteps(chunks: Uint8Array | readonly Uint8Array[]): Steps<Uint8Array[]> {
  const bytes = chunks instanceof Uint8Array ? chunks : concatBytes(chunks);
  const lines: Uint8Array[] = [];
  // Plain views, not Buffer#subarray (a Buffer per line): half the time on 180,000 lines.
  const line = (start: number, end: number) => new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
  let start = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) {
    if (lines.push(line(start, i + 1)) % DIFF_SLICE === 0) yield;
    start = i + 1;
  }
  if (start < bytes.length) lines.push(line(start, bytes.length));
  return lines;
}

/**
 * Work between two pauses of a diff (see `multiParentDiffSteps`): lines hashed, or loop turns
 * of the matcher. Counted, not timed, so where a diff pauses does not depend on the machine.
 */
export const DIFF_SLICE = 16_384;

/** Counts a diff's work and says when a slice of it is done. */
class Slices {
  private work = 0;

  /** Whether `n` more units end the current slice (the caller then yields). */
  spend(n: number): boolean {
    this.work += n;
    if (this.work < DIFF_SLICE) return false;
    this.work = 0;
    return true;
  }
}

/**
 * FNV-1a of a line, cut to 30 bits: the first sieve of LineIds (equal hashes are compared byte
 * by byte). 30 bits keep it a small integer in V8, a map key that is not boxed.
 */
export function lineHash(line: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < line.length; i++) h = Math.imul(h ^ line[i], 0x01000193);
  return h & 0x3fffffff;
}

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Each distinct line as a small integer, shared by all texts compared together. By hash and
 * then bytes, with no string made per line: a 30 MB text is 650,000 lines.
 */
class LineIds {
  /** The first id of each hash; `nextSameHash[id]` chains the others (-1 ends). */
  private readonly firstOfHash = new Map<number, number>();
  private readonly nextSameHash: number[] = [];
  private readonly lines: Uint8Array[] = [];

  get size(): number {
    return this.lines.length;
  }

  *of(lines: Lines, slices: Slices): Steps<Int32Array> {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const h = lineHash(line);
      const first = this.firstOfHash.get(h) ?? -1;
      let id = first;
      while (id >= 0 && !sameBytes(this.lines[id], line)) id = this.nextSameHash[id];
      if (id < 0) {
        id = this.lines.length;
        this.lines.push(line);
        this.nextSameHash.push(first);
        this.firstOfHash.set(h, id);
      }
      out[i] = id;
      if (slices.spend(1)) yield;
    }
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

/** Matching line pairs, in order: position in a, position in b. */
interface Pairs {
  a: number[];
  b: number[];
}

/**
 * Where each line id was seen in the range uniqueLcs is looking at: `seen[id] === pass` marks
 * it seen in this pass, `at[id]` its position or -1 when repeated. One per side, reused by
 * every pass of a diff (stamped, not cleared), so a pass costs its range, not the line count.
 */
class LinePositions {
  private readonly seen: Int32Array;
  private readonly at: Int32Array;

  constructor(ids: number) {
    this.seen = new Int32Array(ids);
    this.at = new Int32Array(ids);
  }

  note(id: number, pos: number, pass: number): void {
    if (this.seen[id] === pass) this.at[id] = -1;
    else {
      this.seen[id] = pass;
      this.at[id] = pos;
    }
  }

  /** The line's only position in this pass, or -1 (absent or repeated). */
  only(id: number, pass: number): number {
    return this.seen[id] === pass ? this.at[id] : -1;
  }
}

/** One comparison's state: its work slices and the positions uniqueLcs reuses. */
class Comparison {
  private passes = 0;
  readonly inA: LinePositions;
  readonly inB: LinePositions;

  constructor(
    readonly a: Int32Array,
    readonly b: Int32Array,
    ids: number,
    readonly slices: Slices,
  ) {
    this.inA = new LinePositions(ids);
    this.inB = new LinePositions(ids);
  }

  nextPass(): number {
    return ++this.passes;
  }
}

/**
 * The longest common subsequence of the lines unique in both a[alo..ahi] and b[blo..bhi],
 * by patience sorting, ascending.
 */
function* uniqueLcs(c: Comparison, alo: number, blo: number, ahi: number, bhi: number): Steps<Pairs> {
  const { a, b, inA, inB, slices } = c;
  const pass = c.nextPass();
  for (let i = alo; i < ahi; i++) {
    inA.note(a[i], i, pass);
    if (slices.spend(1)) yield;
  }
  for (let j = blo; j < bhi; j++) {
    inB.note(b[j], j, pass);
    if (slices.spend(1)) yield;
  }
  const stacks: number[] = []; // a positions on top of each pile
  const lasts: number[] = []; // the b position of each pile's top
  const backpointers = new Int32Array(bhi - blo).fill(-1); // by j - blo: the b position below, or -1
  const btoa = new Int32Array(bhi - blo); // by j - blo
  for (let j = blo; j < bhi; j++) {
    if (slices.spend(1)) yield;
    const apos = inA.only(b[j], pass);
    if (apos < 0 || inB.only(b[j], pass) !== j) continue;
    btoa[j - blo] = apos;
    const k = bisectLeft(stacks, apos);
    if (k > 0) backpointers[j - blo] = lasts[k - 1];
    stacks[k] = apos;
    lasts[k] = j;
  }
  const result: Pairs = { a: [], b: [] };
  for (let m = lasts.length > 0 ? lasts[lasts.length - 1] : -1; m >= 0; m = backpointers[m - blo]) {
    result.a.push(btoa[m - blo]);
    result.b.push(m);
  }
  result.a.reverse();
  result.b.reverse();
  return result;
}

/** patiencediff's recurse_matches: matching line pairs, appended to `answer` in order. */
function* recurseMatches(c: Comparison, alo: number, blo: number, ahi: number, bhi: number, answer: Pairs, maxRecursion: number): Steps<void> {
  // The C matcher stops quietly past the depth (the Python one raises): Breezy runs the C one.
  if (maxRecursion < 0 || alo === ahi || blo === bhi) return;
  const { a, b, slices } = c;
  const push = (i: number, j: number) => {
    answer.a.push(i);
    answer.b.push(j);
  };
  let lastA = alo - 1;
  let lastB = blo - 1;
  const lcs = yield* uniqueLcs(c, alo, blo, ahi, bhi);
  for (let k = 0; k < lcs.a.length; k++) {
    const [apos, bpos] = [lcs.a[k], lcs.b[k]];
    if (lastA + 1 !== apos || lastB + 1 !== bpos) yield* recurseMatches(c, lastA + 1, lastB + 1, apos, bpos, answer, maxRecursion - 1);
    lastA = apos;
    lastB = bpos;
    push(apos, bpos);
    if (slices.spend(1)) yield;
  }
  if (lcs.a.length > 0) yield* recurseMatches(c, lastA + 1, lastB + 1, ahi, bhi, answer, maxRecursion - 1);
  else if (a[alo] === b[blo]) {
    while (alo < ahi && blo < bhi && a[alo] === b[blo]) push(alo++, blo++);
    yield* recurseMatches(c, alo, blo, ahi, bhi, answer, maxRecursion - 1);
  } else if (a[ahi - 1] === b[bhi - 1]) {
    let nahi = ahi - 1;
    let nbhi = bhi - 1;
    while (nahi > alo && nbhi > blo && a[nahi - 1] === b[nbhi - 1]) {
      nahi--;
      nbhi--;
    }
    yield* recurseMatches(c, lastA + 1, lastB + 1, nahi, nbhi, answer, maxRecursion - 1);
    for (let i = 0; i < ahi - nahi; i++) push(nahi + i, nbhi + i);
  }
}

/**
 * `PatienceSequenceMatcher(None, a, b).get_matching_blocks()`, ending with (len a, len b, 0).
 * `ids`: more than any line id in a or b.
 */
function* matchingBlockSteps(a: Int32Array, b: Int32Array, ids: number, slices: Slices): Steps<MatchingBlock[]> {
  const pairs: Pairs = { a: [], b: [] };
  yield* recurseMatches(new Comparison(a, b, ids, slices), 0, 0, a.length, b.length, pairs, 10);
  const blocks: MatchingBlock[] = [];
  for (let k = 0; k < pairs.a.length; k++) {
    const [i, j] = [pairs.a[k], pairs.b[k]];
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
 * As steps: the diff pauses (yields) after each DIFF_SLICE units of work, so a server can
 * serve other connections between slices of a diff of a large text.
 */
export function* multiParentDiffSteps(text: Lines, parents: readonly Lines[]): Steps<Hunk[]> {
  const slices = new Slices();
  const ids = new LineIds();
  const textIds = yield* ids.of(text, slices);
  const comparisons: MatchingBlock[][] = [];
  for (const p of parents) {
    const parentIds = yield* ids.of(p, slices);
    comparisons.push(yield* matchingBlockSteps(parentIds, textIds, ids.size, slices));
  }
  const cursor = comparisons.map(() => 0);
  const hunks: Hunk[] = [];
  let fresh: Uint8Array[] = [];
  let cur = 0;
  while (cur < text.length) {
    if (slices.spend(comparisons.length)) yield;
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

/** `multiParentDiffSteps` run to its end at once. */
export function multiParentDiff(text: Lines, parents: readonly Lines[]): Hunk[] {
  return runToEnd(multiParentDiffSteps(text, parents));
}

/** `b''.join(MultiParent.to_patch())`. */
export function multiParentPatch(hunks: readonly Hunk[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const hunk of hunks) {
    if (hunk.kind === 'parent') parts.push(ascii.encode(`c ${hunk.parent} ${hunk.parentPos} ${hunk.childPos} ${hunk.numLines}\n`));
    else {
      // One push per line: a new text of 180,000 lines spread as arguments overflows the stack.
      parts.push(ascii.encode(`i ${hunk.lines.length}\n`));
      for (const line of hunk.lines) parts.push(line);
      parts.push(ascii.encode('\n'));
    }
  }
  return concatBytes(parts);
}
