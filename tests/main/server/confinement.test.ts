/**
 * Confinement: no spelling of a path reaches outside the served root, through any
 * path-taking verb of the built-in backend, with writes allowed. Each verb × spelling is one
 * test: the answer never carries the secret outside the root, nothing outside changes, and
 * the spellings Breezy refuses (or should) get their exact refusal.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ALL_VERBS } from '../../../src/shared/protocol';
import { checkPath, PATH_ARGUMENTS } from '../../../src/main/server/confinement';
import { BuiltinBackend } from '../../../src/main/server/backends/builtin';
import { BUILTIN_VERBS } from '../../../src/main/server/backends/builtin/verbs';
import type { BackendConnection } from '../../../src/main/server/backends/backend';
import { ask, type Arg } from '../../support/server-call';

const SECRET = 'secret outside the root';
let base: string;
let root: string;
let outside: string;
let conn: BackendConnection;

function outsideState(): string {
  return readdirSync(outside).sort().map((n) => `${n}=${readFileSync(join(outside, n), 'utf8')}`).join(';');
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'hpss-confine-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), SECRET);
  writeFileSync(join(root, 'a.txt'), 'inside\n');
  symlinkSync(outside, join(root, 'link-out'));
  symlinkSync(join(outside, 'secret'), join(root, 'file-link-out'));
  symlinkSync(join(outside, 'created-through-link'), join(root, 'dangling-out'));
  symlinkSync('../../outside', join(root, 'sub/relative-out'));
  conn = new BuiltinBackend({ dir: root, allowWrites: true }).open();
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

type Refusal = readonly string[] | 'confined';

/** Spellings of "outside the root", and how each must be answered. */
const SPELLINGS: ReadonlyArray<readonly [name: string, path: () => Arg, refusal: Refusal]> = [
  ['dot-dot', () => '../outside/secret', ['error', 'breezy.urlutils.InvalidURLJoin']],
  ['absolute dot-dot', () => '/../../outside/secret', ['error', 'breezy.urlutils.InvalidURLJoin']],
  ['encoded slash', () => 'sub/..%2f..%2f..%2foutside%2fsecret', ['PermissionDenied']],
  ['encoded dots', () => '%2e%2e/%2e%2e/outside/secret', ['PermissionDenied']],
  ['encoded dot-dot slash', () => '%2E%2E%2Foutside%2Fsecret', ['PermissionDenied']],
  ['doubly encoded', () => '%252e%252e%252foutside%252fsecret', ['PermissionDenied']],
  ['triply encoded', () => '%25252e%25252e%25252foutside%25252fsecret', ['PermissionDenied']],
  ['absolute local path', () => join(outside, 'secret'), 'confined'],
  ['NUL escaped', () => 'a.txt%00/x', ['error', 'ValueError']],
  ['NUL raw', () => Buffer.from('a.txt\0x'), ['error', 'ValueError']],
  ['backslashes', () => '..\\..\\outside\\secret', 'confined'],
  ['symlink to a directory outside', () => 'link-out/secret', ['PermissionDenied']],
  ['symlink to a file outside', () => 'file-link-out', ['PermissionDenied']],
  ['dangling symlink outside', () => 'dangling-out', ['PermissionDenied']],
  ['relative symlink outside', () => 'sub/relative-out/secret', ['PermissionDenied']],
  ['very long', () => `${'a/'.repeat(3000)}x`, 'confined'],
  ['very long dot-dots', () => '../'.repeat(20000), ['error', 'breezy.urlutils.InvalidURLJoin']],
];

/** The args of each path-taking verb the backend answers, with the path at `slot`. */
function argsFor(verb: string, slot: number, path: Arg): { args: Arg[]; body?: Uint8Array } {
  const body = Buffer.from('x');
  const at = (args: Arg[]) => args.map((a, i) => (i === slot ? path : a));
  switch (verb) {
    case 'put':
    case 'append':
      return { args: at(['P', '']), body };
    case 'put_non_atomic':
      return { args: at(['P', '', 'T', '']), body };
    case 'mkdir':
      return { args: at(['P', '']) };
    case 'rename':
    case 'move':
      return { args: at(['a.txt', 'moved.txt']) };
    case 'readv':
      return { args: at(['P']), body: Buffer.from('0,1') };
    case 'get_bundle':
    case 'Branch.revision_id_to_revno':
    case 'Repository.get_revision_graph':
    case 'Repository.has_revision':
    case 'Repository.unlock':
      return { args: at(['P', 'rev-1']) };
    case 'Repository.get_parent_map':
      return { args: at(['P', 'rev-1']), body: Buffer.from('\n\n0') };
    case 'Branch.lock_write':
    case 'Branch.unlock':
      return { args: at(['P', 'token', '']) };
    case 'BzrDir.create_repository':
      return { args: at(['P', 'Bazaar repository format 2a (needs bzr 1.16 or later)\n', 'False']) };
    case 'BzrDir.create_branch':
      return { args: at(['P', 'Bazaar Branch Format 7 (needs bzr 1.6)\n']) };
    case 'Branch.set_tags_bytes':
      return { args: at(['P', 'token', '']), body: Buffer.from('de') };
    case 'Repository.get_rev_id_for_revno':
      return { args: at(['P', 1, [2, 'rev-1']]) };
    case 'BzrDir.cloning_metadir':
      return { args: at(['P', 'False']) };
    case 'Repository.gather_stats':
      return { args: at(['P', 'rev-1', 'yes']) };
    case 'Branch.set_last_revision_info':
      return { args: at(['P', 'token', '', '1', 'rev-1']) };
    case 'Branch.set_last_revision_ex':
      return { args: at(['P', 'token', '', 'rev-1', '', '']) };
    case 'BzrDirFormat.initialize_ex_1.16':
      return { args: at(['Bazaar-NG meta directory, format 1\n', 'P', 'True', 'True', 'False', '', '', 'Bazaar repository format 2a (needs bzr 1.16 or later)\n', 'True', 'False']) };
    default:
      return { args: at(['P']) };
  }
}

const CASES = [...BUILTIN_VERBS.keys()].flatMap((verb) =>
  (PATH_ARGUMENTS.get(verb) ?? []).flatMap((slot) => SPELLINGS.map(([name, path, refusal]) => ({ verb, slot, name, path, refusal }))),
);

describe('every path-taking verb × every spelling stays inside the root', () => {
  test.each(CASES)('$verb (arg $slot): $name', async ({ verb, slot, path, refusal }) => {
    const before = outsideState();
    const { args, body } = argsFor(verb, slot, path());
    const answer = await ask(conn, verb, args, body);
    expect(JSON.stringify(answer)).not.toContain(SECRET);
    expect(outsideState()).toBe(before);
    if (refusal === 'confined') return;
    expect(answer.status).toBe('E');
    expect(answer.args.slice(0, refusal.length)).toEqual(refusal);
  });
});

describe('checkPath', () => {
  test('paths inside, including through a symlink that stays inside, are allowed', () => {
    symlinkSync('../a.txt', join(root, 'sub/inside-link'));
    expect(checkPath(root, Buffer.from('/sub/inside-link'))).toMatchObject({ ok: true, path: join(root, 'sub/inside-link'), relpath: 'sub/inside-link' });
    expect(checkPath(root, Buffer.from('sub/../a.txt'))).toMatchObject({ ok: true, relpath: 'a.txt' });
    expect(checkPath(root, Buffer.from('na%C3%AFve'))).toMatchObject({ ok: true, relpath: 'naïve' });
    expect(checkPath(root, Buffer.from(''))).toMatchObject({ ok: true, path: root, relpath: '' });
  });

  test("a dot-dot above the root gets Breezy's exact answer, and the attempt is named", () => {
    const check = checkPath(root, Buffer.from('/../a.txt'));
    expect(check).toEqual({
      ok: false,
      attempt: '/../a.txt',
      answer: { status: 'E', args: ['error', 'breezy.urlutils.InvalidURLJoin', "Invalid URL join request: Cannot go above root: '/' + ('../a.txt',)"] },
    });
  });

  test('a symlink loop is refused, not followed forever', () => {
    symlinkSync('loop-b', join(root, 'loop-a'));
    symlinkSync('loop-a', join(root, 'loop-b'));
    const check = checkPath(root, Buffer.from('loop-a/x'));
    expect(check.ok).toBe(false);
    expect(!check.ok && check.answer.args[0]).toBe('PermissionDenied');
  });

  test('every Breezy verb but hello and Transport.is_readonly names its path arguments', () => {
    const missing = ALL_VERBS.filter((v) => !PATH_ARGUMENTS.has(v));
    expect(missing.sort()).toEqual(['Transport.is_readonly', 'hello']);
    expect(PATH_ARGUMENTS.get('rename')).toEqual([0, 1]);
    expect(PATH_ARGUMENTS.get('BzrDirFormat.initialize_ex_1.16')).toEqual([1]);
  });
});

test('a served root of / (serve --inet --directory=/, as brz asks over ssh) takes every absolute path, and still no symlink trick', () => {
  const ok = checkPath('/', new TextEncoder().encode('/tmp/some/branch/'), 'BzrDir.open_2.1');
  expect(ok).toMatchObject({ ok: true, path: '/tmp/some/branch' });
  expect(checkPath('/', new TextEncoder().encode('/../etc'), 'get').ok).toBe(false);
});

test('one argument of one call is checked once, whoever asks (the guard, then the built-in handler)', () => {
  const arg = new TextEncoder().encode('/tmp/some/branch/');
  const first = checkPath('/', arg, 'BzrDir.open_2.1');
  expect(checkPath('/', arg, 'BzrDir.open_2.1')).toBe(first);
  // Another root or verb is another question.
  expect(checkPath('/tmp', arg, 'BzrDir.open_2.1')).not.toBe(first);
  expect(checkPath('/', arg, 'stat')).not.toBe(first);
});
