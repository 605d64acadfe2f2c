/**
 * The built-in backend's transport verbs answer as Breezy's own server does: the same
 * requests go to `brz serve --inet` (through our SmartClient) and to our BackendConnection,
 * and every answer — status, args, body — must be equal, error cases included. Reads run on
 * one directory served by both; writes run the same sequence on two identical directories
 * (absolute paths in answers are compared with the root swapped), whose trees must end equal.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BuiltinBackend } from '../../../../../src/main/server/backends/builtin';
import type { BackendConnection } from '../../../../../src/main/server/backends/backend';
import { requireTool } from '../../../../support/test-hosts';
import { ask, BreezyPeer, type Arg, type ComparableAnswer } from '../../../../support/server-call';

let scratch: string;
beforeAll(() => {
  requireTool('brz', 'brz');
  scratch = mkdtempSync(join(tmpdir(), 'hpss-builtin-vfs-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The same starting tree in `dir`: text, binary, a non-ASCII and an escaped name, dirs, links. */
function makeTree(dir: string): void {
  mkdirSync(join(dir, 'sub/deeper'), { recursive: true });
  mkdirSync(join(dir, 'full'));
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'a.txt'), 'hello\n');
  writeFileSync(join(dir, 'ten'), '0123456789');
  writeFileSync(join(dir, 'full/f'), 'x\n');
  writeFileSync(join(dir, 'bin'), Buffer.from([0, 1, 2, 255, 254, 10, 13, 0x80]));
  writeFileSync(join(dir, 'sub/naïve é.txt'), 'unicode\n');
  writeFileSync(join(dir, 'sub/per%cent'), 'percent\n');
  symlinkSync('../a.txt', join(dir, 'sub/inside-link'));
}

type Request = readonly [verb: string, args: readonly Arg[], body?: string | Buffer];

function swapRoot(answer: ComparableAnswer, from: string, to: string): ComparableAnswer {
  const fix = (s: string) => s.split(from).join(to).replace(/\.\d+\.[^.']+\.[0-9a-z]{10}\.tmp/g, '.TMP.tmp');
  return { ...answer, args: answer.args.map(fix) };
}

async function compare(requests: readonly Request[], ours: BackendConnection, brz: BreezyPeer, ourRoot: string, brzRoot: string): Promise<void> {
  for (const [verb, args, body] of requests) {
    const bytes = body === undefined ? undefined : Buffer.from(body);
    const theirs = swapRoot(await brz.ask(verb, args, bytes), brzRoot, 'ROOT');
    const mine = swapRoot(await ask(ours, verb, args, bytes), ourRoot, 'ROOT');
    expect({ verb, args, answer: mine }).toEqual({ verb, args, answer: theirs });
  }
}

const READS: Request[] = [
  ['hello', []],
  ['Transport.is_readonly', []],
  ...['a.txt', '/a.txt', 'bin', 'sub/naïve é.txt', 'sub/na%C3%AFve%20%C3%A9.txt', 'sub/per%25cent', 'sub/inside-link', 'sub/../ten', 'nope', 'sub', 'sub/', '', '/', 'a.txt/x']
    .flatMap((p): Request[] => [['get', [p]], ['has', [p]], ['stat', [p]], ['list_dir', [p]]]),
  ['iter_files_recursive', ['']],
  ['iter_files_recursive', ['sub']],
  ['iter_files_recursive', ['nope']],
  ['iter_files_recursive', ['ten']],
  ['readv', ['ten'], '0,3\n5,2'],
  ['readv', ['ten'], '5,2\n0,3'],
  ['readv', ['ten'], '0,3\n3,3\n6,4'],
  ['readv', ['ten'], '8,5'],
  ['readv', ['ten'], '0,3\n3,3\n20,1'],
  ['readv', ['ten'], '0,3\n2,3'],
  ['readv', ['ten'], '0,3\n0,3'],
  ['readv', ['ten'], '10,0'],
  ['readv', ['ten'], ''],
  ['readv', ['ten'], 'a,b'],
  ['readv', ['ten'], '1'],
  ['readv', ['bin'], '\n\n1,2\n\n'],
  ['readv', ['nope'], '0,1'],
  ['readv', ['sub'], '0,1'],
  ...['../a.txt', '/../../etc/passwd', '..', 'a%00b', '%ff', Buffer.from([0x61, 0xff]), 'x'.repeat(5000)]
    .flatMap((p): Request[] => [['get', [p]], ['has', [p]], ['stat', [p]]]),
  ['get', ['a.txt', 'extra']],
  ['get', []],
  ['put', ['x', ''], 'data'],
  ['mkdir', ['d', '']],
  ['delete', ['a.txt']],
  ['No.such_verb', ['x']],
];

describe('reads and read-only refusals, answer by answer with brz serve', () => {
  test('every read verb and its errors; writes refused as ReadOnlyError', async () => {
    const root = join(scratch, 'reads');
    makeTree(root);
    const brz = new BreezyPeer(root, false, scratch);
    try {
      const ours = new BuiltinBackend({ dir: root, allowWrites: false }).open();
      await compare(READS, ours, brz, root, root);
    } finally {
      brz.close();
    }
  });
});

const WRITES: Request[] = [
  ['Transport.is_readonly', []],
  ['put', ['nodir/x', ''], 'data'],
  ['put', ['full', ''], 'data'],
  ['put', ['p1', '420'], 'first'],
  ['put', ['p1', ''], Buffer.from([0, 255, 1])],
  ['get', ['p1']],
  ['stat', ['p1']],
  ['put', ['p2', '600'], 'odd decimal mode'],
  ['stat', ['p2']],
  ['put', ['p3', 'x'], 'bad mode'],
  ['put', ['new é', ''], 'non-ASCII name'],
  ['mkdir', ['full', '']],
  ['mkdir', ['nodir/x', '']],
  ['mkdir', ['m1', '493']],
  ['stat', ['m1']],
  ['mkdir', ['ten', '']],
  ['rmdir', ['full']],
  ['rmdir', ['nope']],
  ['rmdir', ['ten']],
  ['rmdir', ['m1']],
  ['rmdir', ['']],
  ['delete', ['nope']],
  ['delete', ['full']],
  ['delete', ['p2']],
  ['append', ['ap', ''], 'abc'],
  ['append', ['ap', ''], 'de'],
  ['append', ['nodir/ap', ''], 'x'],
  ['append', ['full', ''], 'x'],
  ['get', ['ap']],
  ['rename', ['ap', 'ap2']],
  ['rename', ['nope', 'x']],
  ['rename', ['ap2', 'full']],
  ['rename', ['ap2', 'nodir/x']],
  ['rename', ['full', 'sub']],
  ['move', ['ap2', 'ten']],
  ['get', ['ten']],
  ['move', ['nope', 'x']],
  ['move', ['full', 'sub']],
  ['move', ['empty', 'moved']],
  ['put_non_atomic', ['q/r/s', '', 'F', ''], 'z'],
  ['put_non_atomic', ['q/s', '', 'T', '448'], 'z'],
  ['stat', ['q']],
  ['put_non_atomic', ['q/r/s', '', 'T', ''], 'zz'],
  ['put_non_atomic', ['q/s', '384', 'F', ''], 'over'],
  ['get', ['q/s']],
  ['stat', ['q/s']],
  ['mkdir', ['', '']],
  ['delete', ['']],
  ['has', ['new é']],
];

/** Every path under `dir` with its type, mode and content. */
function snapshot(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(dir, path));
    if (st.isDirectory()) Object.assign(out, { [path]: `dir ${st.mode.toString(8)}` }, snapshot(dir, path));
    else if (st.isSymbolicLink()) out[path] = 'link';
    else out[path] = `file ${st.mode.toString(8)} ${readFileSync(join(dir, path)).toString('hex')}`;
  }
  return out;
}

describe('writes, answer by answer with brz serve --allow-writes', () => {
  test('every write verb and its errors; the trees end equal', async () => {
    const theirs = join(scratch, 'writes-brz');
    const mine = join(scratch, 'writes-ours');
    makeTree(theirs);
    makeTree(mine);
    const brz = new BreezyPeer(theirs, true, scratch);
    try {
      const ours = new BuiltinBackend({ dir: mine, allowWrites: true }).open();
      await compare(WRITES, ours, brz, mine, theirs);
    } finally {
      brz.close();
    }
    // Breezy leaves its AtomicFile's temporary file behind when the rename fails (put onto a
    // directory); ours removes it.
    const brzTree = Object.fromEntries(Object.entries(snapshot(theirs)).filter(([path]) => !/\.\d+\.[^/]+\.tmp$/.test(path)));
    expect(Object.keys(snapshot(theirs)).length).toBe(Object.keys(brzTree).length + 1);
    expect(snapshot(mine)).toEqual(brzTree);
  });
});
