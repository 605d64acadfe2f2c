/**
 * The one path check in front of every path-taking verb a server executes: a client's path
 * argument is decoded as Breezy decodes it and must name something inside the served root,
 * symlinks included. Breezy's own server (request.py `translate_client_path`, vfs.py, the
 * chroot transport) refuses a raw `..` above its root, but follows symlinks out of it and
 * lets `..%2f` segments through to the disk (measured: `get sub/..%2f..%2f..%2f..%2fetc%2fhostname`
 * reads /etc/hostname); this check refuses both.
 *
 * Decoding, as Breezy does it: the argument is UTF-8; a leading `/` is the served root; `.`
 * and `..` segments are joined URL-style (urlutils.joinpath: above the root is
 * `InvalidURLJoin`); the result is percent-decoded once (urlutils.unescape; invalid UTF-8
 * after decoding becomes U+FFFD). The check then also decodes repeatedly (doubly encoded
 * forms), normalises each form and resolves symlinks component by component from the real
 * root (a dangling link is followed textually, so a write through it cannot land outside).
 *
 * Not atomic with the operation that follows (a path swapped for a symlink in between is
 * not caught); the served directory is assumed not to be writable by hostile local users.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { ALL_VERBS, VFS_VERBS, type BValue } from '../../shared/protocol';
import type { MessageAnswer } from './core/server-call';

/** Which arguments of a verb are paths under the served root (0-based). */
export const PATH_ARGUMENTS: ReadonlyMap<string, readonly number[]> = new Map(
  ALL_VERBS.flatMap((verb): [string, readonly number[]][] => {
    if (verb === 'hello' || verb === 'Transport.is_readonly') return [];
    if (verb === 'rename' || verb === 'move') return [[verb, [0, 1]]];
    // bzrdir.py SmartServerRequestBzrDirInitializeEx.do(bzrdir_network_name, path, …)
    if (verb === 'BzrDirFormat.initialize_ex_1.16') return [[verb, [1]]];
    return [[verb, [0]]];
  }),
);

/** Verbs whose handler appends `/` to the client's path before translating it (vfs.py). */
const DIRECTORY_STYLE_VERBS: ReadonlySet<string> = new Set(['stat', 'list_dir', 'iter_files_recursive']);

/** How many extra rounds of percent-decoding the check tries (doubly, triply… encoded). */
const MAX_DECODE_ROUNDS = 8;
/** Symlinks followed in one resolution before giving up (Linux's own limit). */
const MAX_SYMLINK_HOPS = 40;

export interface ConfinedPath {
  ok: true;
  /** The local path to operate on: root + relpath (symlinks not resolved, `..` resolved as text). */
  path: string;
  /** The path relative to the root, decoded, normalised, without `./` (`''` is the root). */
  relpath: string;
  /** The relpath as Breezy's VFS requests name it in some errors (`./ten` in ShortReadvError). */
  vfsRelpath: string;
}

export interface RefusedPath {
  ok: false;
  answer: MessageAnswer;
  /** What the client asked for, printable, for events and logs. */
  attempt: string;
}

export type PathCheck = ConfinedPath | RefusedPath;

const realRoots = new Map<string, string>();

function realRoot(root: string): string {
  let real = realRoots.get(root);
  if (real === undefined) {
    real = realpathSync(root);
    realRoots.set(root, real);
  }
  return real;
}

/**
 * Checks one path argument against the served root. `verb` only shapes Breezy's error text
 * (stat, list_dir and iter_files_recursive name the path with a `/` appended).
 */
export function checkPath(root: string, arg: BValue, verb = 'get'): PathCheck {
  if (!(arg instanceof Uint8Array)) {
    return refused(String(arg), ['error', 'TypeError', 'a path argument must be a byte string']);
  }
  // The guard in front of every server backend (backends/confined.ts) and the built-in
  // backend's handlers ask the same question of the same argument of one call: answer once.
  const last = lastChecks.get(arg);
  if (last && last.root === root && last.verb === verb) return last.result;
  const result = checkPathUncached(root, arg, verb);
  lastChecks.set(arg, { root, verb, result });
  return result;
}

/** Per argument (one call's bytes, gone with the call), its last check. */
const lastChecks = new WeakMap<Uint8Array, { root: string; verb: string; result: PathCheck }>();

function checkPathUncached(root: string, arg: Uint8Array, verb: string): PathCheck {
  const attempt = printable(arg);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(arg);
  } catch {
    // What Breezy 3.3.2 answers (its error translation trips over the bytes).
    return refused(attempt, ['error', "'bytes' object has no attribute 'encode'"]);
  }
  if (DIRECTORY_STYLE_VERBS.has(verb) && !text.endsWith('/')) text += '/';
  const joined = joinUnderRoot(text.startsWith('/') ? text.slice(1) : text);
  if (joined === null) {
    const shown = text.startsWith('/') ? text.slice(1) : text;
    return refused(attempt, ['error', 'breezy.urlutils.InvalidURLJoin', `Invalid URL join request: Cannot go above root: '/' + (${pythonStrRepr(shown)},)`]);
  }
  if (VFS_VERBS.has(verb)) {
    const nonAscii = notPlainAscii(joined);
    if (nonAscii) return refused(attempt, ['InvalidURL', joined.replace(/\/$/, ''), `: URL was not a plain ASCII url: ${nonAscii}`]);
  }
  const decoded = percentDecode(joined);
  if (decoded.includes('\0')) return refused(attempt, ['error', 'ValueError', 'embedded null byte']);
  const relpath = normaliseInside(decoded);
  if (relpath === null || !allDecodingsInside(decoded)) return outside(attempt, text);
  const real = realRoot(root);
  const resolved = resolveSymlinks(real, relpath);
  if (resolved === null || !within(real, resolved)) return outside(attempt, text);
  const base = root.length > 1 && root.endsWith('/') ? root.slice(0, -1) : root;
  return { ok: true, path: relpath === '' ? base : `${base === '/' ? '' : base}/${relpath}`, relpath, vfsRelpath: `./${decoded}` };
}

/** Checks every path argument of a call; the first refusal wins. */
export function checkPathArguments(root: string, verb: string, args: readonly BValue[]): PathCheck[] | RefusedPath {
  const checked: PathCheck[] = [];
  for (const index of PATH_ARGUMENTS.get(verb) ?? []) {
    if (index >= args.length) continue;
    const check = checkPath(root, args[index], verb);
    if (!check.ok) return check;
    checked.push(check);
  }
  return checked;
}

function refused(attempt: string, args: string[]): RefusedPath {
  return { ok: false, attempt, answer: { status: 'E', args } };
}

/** Breezy would serve these; we refuse them as a permission error naming what was asked. */
/** Whether `path` is `root` or below it (a root of `/` has every absolute path below it). */
function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

function outside(attempt: string, text: string): RefusedPath {
  return refused(attempt, ['PermissionDenied', text, ': outside the served directory']);
}

/** urlutils.joinpath('/', path) without the leading '/': null when it climbs above the root. */
function joinUnderRoot(path: string): string | null {
  const out: string[] = [];
  for (const chunk of path.split('/')) {
    if (chunk === '.') continue;
    if (chunk === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(chunk);
  }
  return out.join('/');
}

/**
 * A VFS path reaches the transport still URL-escaped, and urlutils.unescape refuses text that
 * is not ASCII (clients escape; a raw non-ASCII path is a client's mistake): Python's
 * UnicodeEncodeError text, or null.
 */
function notPlainAscii(text: string): string | null {
  let position = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code > 0x7f) {
      const hex = code.toString(16);
      const shown = code <= 0xff ? `\\x${hex}` : code <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
      return `'ascii' codec can't encode character '${shown}' in position ${position}: ordinal not in range(128)`;
    }
    position++;
  }
  return null;
}

/** Python's urllib.parse.unquote: %XX runs decoded as UTF-8, invalid bytes as U+FFFD. */
function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return new TextDecoder('utf-8').decode(bytes);
  });
}

/** The path normalised relative to the root (`''` for the root), or null above it. */
function normaliseInside(path: string): string | null {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

function allDecodingsInside(decoded: string): boolean {
  let form = decoded;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const next = percentDecode(form);
    if (next === form) return true;
    if (next.includes('\0') || normaliseInside(next) === null) return false;
    form = next;
  }
  return false;
}

/**
 * The real path `relpath` names under `real` (itself a real path), following every symlink
 * on the way; components past the first that does not exist are appended as they are.
 * null when the links loop.
 */
function resolveSymlinks(real: string, relpath: string): string | null {
  let current = real;
  const queue = relpath === '' ? [] : relpath.split('/');
  let hops = 0;
  while (queue.length > 0) {
    const part = queue.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = posix.dirname(current);
      continue;
    }
    const next = current === '/' ? `/${part}` : `${current}/${part}`;
    let isLink: boolean;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      return posix.normalize([next, ...queue].join('/'));
    }
    if (!isLink) {
      current = next;
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) return null;
    const target = readlinkSync(next);
    if (target.startsWith('/')) current = '/';
    queue.unshift(...target.split('/'));
  }
  return current;
}

/** Python's repr of a str (what Breezy's messages show). */
function pythonStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}

function printable(bytes: Uint8Array): string {
  const max = 200;
  const shown = bytes.length > max ? bytes.subarray(0, max) : bytes;
  let s = '';
  for (const b of shown) s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return bytes.length > max ? `${s}… (${bytes.length} bytes)` : s;
}
