import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DIFF_SLICE, lineHash, multiParentDiff, multiParentDiffSteps, multiParentPatch, splitLines, splitLinesSteps } from '../../../src/shared/bzr-formats/multiparent';
import { runBreezyPython } from '../../support/breezy-python';
import { seededRandom } from '../../support/seeded-random';

/** Breezy's patch of each case: MultiParent.from_lines over osutils.split_lines, to_patch joined. */
const ORACLE = `
import json, sys
from breezy import multiparent, osutils
out = []
for case in json.load(sys.stdin):
    text = osutils.split_lines(bytes.fromhex(case['text']))
    parents = [osutils.split_lines(bytes.fromhex(p)) for p in case['parents']]
    out.append(b''.join(multiparent.MultiParent.from_lines(text, parents).to_patch()).hex())
print(json.dumps(out))
`;

interface Case {
  name: string;
  text: Buffer;
  parents: Buffer[];
}

/** Edits of a line list: insert, delete, move a block, duplicate lines, change a line. */
function edit(lines: string[], rand: () => number, vocabulary: number): string[] {
  const out = [...lines];
  const pick = (n: number) => Math.floor(rand() * n);
  const word = () => `w${pick(vocabulary)}\n`;
  for (let e = 0, edits = 1 + pick(6); e < edits; e++) {
    const at = pick(out.length + 1);
    switch (pick(5)) {
      case 0:
        out.splice(at, 0, ...Array.from({ length: 1 + pick(5) }, word));
        break;
      case 1:
        out.splice(at, 1 + pick(4));
        break;
      case 2: {
        const block = out.splice(at, 1 + pick(8));
        out.splice(pick(out.length + 1), 0, ...block);
        break;
      }
      case 3:
        if (out.length > 0) out.splice(at, 0, ...Array.from({ length: 1 + pick(3) }, () => out[pick(out.length)]));
        break;
      default:
        if (at < out.length) out[at] = word();
    }
  }
  return out;
}

function generatedCases(): Case[] {
  const rand = seededRandom(20260402);
  const cases: Case[] = [];
  const text = (lines: string[], trailingNewline = true) => {
    const joined = lines.join('');
    return Buffer.from(trailingNewline || joined.length === 0 ? joined : joined.slice(0, -1), 'latin1');
  };
  for (let i = 0; i < 300; i++) {
    // Small vocabularies make repeated lines, where the unique-line LCS matters most.
    const vocabulary = [3, 8, 40, 1000][i % 4];
    const base = Array.from({ length: Math.floor(rand() * 60) }, () => `w${Math.floor(rand() * vocabulary)}\n`);
    const left = edit(base, rand, vocabulary);
    const right = edit(base, rand, vocabulary);
    const child = edit(rand() < 0.5 ? left : right, rand, vocabulary);
    const noNewline = i % 5 === 0;
    const parents = i % 3 === 0 ? [text(left), text(right)] : i % 3 === 1 ? [text(left, !noNewline)] : [];
    cases.push({ name: `generated ${i}`, text: text(child, !noNewline), parents });
  }
  const bytes = (s: string) => Buffer.from(s, 'latin1');
  cases.push(
    { name: 'empty text, empty parent', text: bytes(''), parents: [bytes('')] },
    { name: 'empty text, a parent', text: bytes(''), parents: [bytes('a\nb\n')] },
    { name: 'text, empty parent', text: bytes('a\nb\n'), parents: [bytes('')] },
    { name: 'no trailing newline change', text: bytes('a\nb'), parents: [bytes('a\nb\n')] },
    { name: 'identical', text: bytes('a\nb\nc\n'), parents: [bytes('a\nb\nc\n')] },
    { name: 'all repeated', text: bytes('x\nx\nx\nx\n'), parents: [bytes('x\nx\n'), bytes('x\nx\nx\nx\nx\n')] },
    { name: 'binary with NULs and CR', text: Buffer.from([0, 1, 13, 10, 255, 10, 128]), parents: [Buffer.from([0, 1, 10, 255, 10])] },
    { name: 'second parent longer match', text: bytes('a\nb\nc\nd\n'), parents: [bytes('a\nz\n'), bytes('a\nb\nc\nd\n')] },
    { name: 'tie goes to the first parent', text: bytes('a\nb\n'), parents: [bytes('a\nb\n'), bytes('a\nb\n')] },
  );
  // Past the matcher's recursion depth of 10 (where the C matcher stops and the Python one
  // would raise): each level's two inner copies are unique only once the range is narrowed.
  const nest = (k: number): string[] => (k === 0 ? ['x\n'] : [`m${k}\n`, ...nest(k - 1), `s${k}\n`, ...nest(k - 1), `m${k}\n`]);
  const deep = nest(11);
  const changed = [...deep];
  changed[deep.length >> 1] = 'changed\n';
  changed[deep.length >> 3] = 'changed too\n';
  cases.push({ name: 'deeper than the recursion limit', text: text(changed), parents: [text(deep)] });
  return cases;
}

/** Two different lines with the same lineHash: LineIds must tell them apart by their bytes. */
function collidingLines(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; i < 1_000_000; i++) {
    const line = `collide ${i}\n`;
    const h = lineHash(Buffer.from(line, 'latin1'));
    const other = seen.get(h);
    if (other !== undefined) return [other, line];
    seen.set(h, line);
  }
  throw new Error('no two lines of a million share a hash: is lineHash still 30 bits?');
}

/** A large text (many slices of work, unique and repeated lines) and an edited copy. */
function largeCase(): Case {
  const rand = seededRandom(20261202);
  const lines = Array.from({ length: 60_000 }, (_, i) => (i % 7 === 0 ? `repeated ${i % 5}\n` : `line ${i} ${Math.floor(rand() * 1e6)}\n`));
  const child = lines.flatMap((l, i) => (i % 97 === 0 ? [`changed ${l}`] : i % 501 === 0 ? [] : i % 733 === 0 ? [l, l] : [l]));
  return { name: 'large: 60,000 lines', text: Buffer.from(child.join(''), 'latin1'), parents: [Buffer.from(lines.join(''), 'latin1')] };
}

/** Real histories: successive versions of files of this repository's own git history. */
function gitHistoryCases(): Case[] {
  const repo = process.cwd();
  const cases: Case[] = [];
  for (const path of ['docs/architecture.md', 'src/main/server/backends/builtin/vfs-read-verbs.ts', 'README.md']) {
    const commits = execFileSync('git', ['log', '--format=%H', '-n', '12', '--', path], { cwd: repo }).toString().trim().split('\n').filter(Boolean);
    const versions = commits.map((c) => {
      try {
        return execFileSync('git', ['show', `${c}:${path}`], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
      } catch {
        return Buffer.alloc(0);
      }
    });
    for (let i = 0; i + 1 < versions.length; i++) {
      cases.push({ name: `${path} @${commits[i].slice(0, 8)}`, text: versions[i], parents: [versions[i + 1]] });
      if (i + 2 < versions.length) cases.push({ name: `${path} @${commits[i].slice(0, 8)} two parents`, text: versions[i], parents: [versions[i + 2], versions[i + 1]] });
    }
  }
  return cases;
}

describe('multi-parent diffs (breezy/multiparent.py)', () => {
  it('splits lines as osutils.split_lines does', () => {
    const lines = splitLines(Buffer.from('a\n\nb\r\nc'));
    expect(lines.map((l) => Buffer.from(l).toString())).toEqual(['a\n', '\n', 'b\r\n', 'c']);
    expect(splitLines([Buffer.from('a\nb'), Buffer.from('c\n')]).map((l) => Buffer.from(l).toString())).toEqual(['a\n', 'bc\n']);
    expect(splitLines(Buffer.alloc(0))).toEqual([]);
  });

  it('gives the patch Breezy gives, on generated edits and real file histories', () => {
    const [x, y] = collidingLines();
    const collisions: Case = { name: 'lines of equal hash', text: Buffer.from(`a\n${x}b\n${y}c\n`, 'latin1'), parents: [Buffer.from(`${y}a\nb\n${x}c\n`, 'latin1')] };
    const cases = [...generatedCases(), ...gitHistoryCases(), collisions, largeCase()];
    expect(cases.length).toBeGreaterThan(320);
    const expected = runBreezyPython<string[]>(ORACLE, cases.map((c) => ({ text: c.text.toString('hex'), parents: c.parents.map((p) => p.toString('hex')) })));
    const mismatches = cases.filter((c, i) => Buffer.from(multiParentPatch(multiParentDiff(splitLines(c.text), c.parents.map((p) => splitLines(p))))).toString('hex') !== expected[i]);
    expect(mismatches.map((c) => c.name)).toEqual([]);
    // The cases do exercise copies from parents, new lines and both parents.
    const patches = expected.map((h) => Buffer.from(h, 'hex').toString('latin1'));
    expect(patches.some((p) => /^c 1 /m.test(p))).toBe(true);
    expect(patches.some((p) => /^i \d+$/m.test(p))).toBe(true);
  }, 120_000);

  it('pauses after each slice of work on a large text, and gives the same diff as run at once', () => {
    const { text, parents } = largeCase();
    const [lines, parentLines] = [splitLines(text), parents.map((p) => splitLines(p))];
    const steps = multiParentDiffSteps(lines, parentLines);
    let pauses = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) pauses++;
    // Hashing each text's lines alone is one unit a line: at least that many slices.
    expect(pauses).toBeGreaterThanOrEqual(Math.floor((lines.length + parentLines[0].length) / DIFF_SLICE));
    expect(step.value).toEqual(multiParentDiff(lines, parentLines));
  });

  it('splits a large text in steps, pausing after each DIFF_SLICE lines', () => {
    const text = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `${i}\n`).join(''), 'latin1');
    const steps = splitLinesSteps([text.subarray(0, 12_345), text.subarray(12_345)]);
    let pauses = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) pauses++;
    expect(pauses).toBe(Math.floor(200_000 / DIFF_SLICE));
    expect(step.value.map((l) => Buffer.from(l).toString('latin1'))).toEqual(splitLines(text).map((l) => Buffer.from(l).toString('latin1')));
    expect(step.value).toHaveLength(200_000);
  });

  it('writes the patch of a new text of 200,000 lines (each line one part, not one argument)', () => {
    const text = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `${i}\n`).join(''), 'latin1');
    const patch = Buffer.from(multiParentPatch(multiParentDiff(splitLines(text), [])));
    expect(patch.subarray(0, 9).toString('latin1')).toBe('i 200000\n');
    expect(patch.subarray(9, 9 + text.length).equals(text)).toBe(true);
    expect(patch.length).toBe(9 + text.length + 1);
  });
});
