/**
 * `hello`, `Transport.is_readonly` and the reading VFS verbs (vfs.py) over the served
 * directory, with the answers Breezy's server gives (LocalTransport behind a chroot): error
 * paths are absolute local paths where Breezy's are, listings name entries URL-escaped.
 */
import { constants } from 'node:fs';
import { access, lstat, open, opendir } from 'node:fs/promises';
import { checkPath } from '../../confinement';
import type { MessageAnswer, ServerCall } from '../../core/server-call';
import { fsErrorAnswer, wholeBody } from './fs-errors';
import { readRanges } from './file-pieces';
import { checkReadv, parseReadvOffsets } from './readv-plan';
import { isAnswer, urlEscape, type BuiltinContext, type VerbHandler } from './verb-table';

/** A readv offset list larger than this is refused (Breezy has no bound). */
const MAX_READV_BODY_BYTES = 4 * 1024 * 1024;

const ok = (...args: string[]): MessageAnswer => ({ status: 'S', args });

/** A directory's names in the order the OS lists them, as Python's os.listdir (readdir sorts). */
async function listNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of await opendir(dir)) names.push(entry.name);
  return names;
}

/** Checks arg 0 of a call as a path; the refusal is the answer. */
function pathOf(call: ServerCall, ctx: BuiltinContext) {
  return checkPath(ctx.root, call.args[0], call.verb);
}

const hello: VerbHandler = { breezyClass: 'HelloRequest', params: [], run: () => ok('ok', '2') };

const isReadonly: VerbHandler = {
  breezyClass: 'SmartServerIsReadonly',
  params: [],
  run: (_call, ctx) => ok(ctx.allowWrites ? 'no' : 'yes'),
};

const has: VerbHandler = {
  breezyClass: 'HasRequest',
  params: ['relpath'],
  async run(call, ctx) {
    const p = pathOf(call, ctx);
    if (!p.ok) return p.answer;
    try {
      await access(p.path, constants.F_OK);
      return ok('yes');
    } catch {
      return ok('no');
    }
  },
};

const get: VerbHandler = {
  breezyClass: 'GetRequest',
  params: ['relpath'],
  async run(call, ctx) {
    const p = pathOf(call, ctx);
    if (!p.ok) return p.answer;
    let file;
    try {
      file = await open(p.path, 'r');
    } catch (err) {
      return fsErrorAnswer(err, p.path);
    }
    const info = await file.stat();
    if (info.isDirectory()) {
      await file.close();
      // LocalTransport.get answers a LateReadError, which fails as ReadError on reading.
      return { status: 'E', args: ['ReadError', urlEscape(p.relpath)] };
    }
    const pieces = readRanges(file, [{ start: 0, length: info.size }], urlEscape(p.relpath));
    return { status: 'S', args: ['ok'], body: { pieces, length: info.size } };
  },
};

const statVerb: VerbHandler = {
  breezyClass: 'StatRequest',
  params: ['relpath'],
  async run(call, ctx) {
    const p = pathOf(call, ctx);
    if (!p.ok) return p.answer;
    try {
      const st = await lstat(p.path);
      return ok('stat', String(st.size), `0o${st.mode.toString(8)}`);
    } catch (err) {
      return fsErrorAnswer(err, p.path);
    }
  },
};

const listDir: VerbHandler = {
  breezyClass: 'ListDirRequest',
  params: ['relpath'],
  async run(call, ctx) {
    const p = pathOf(call, ctx);
    if (!p.ok) return p.answer;
    try {
      const names = await listNames(p.path);
      return ok('names', ...names.map(urlEscape));
    } catch (err) {
      return fsErrorAnswer(err, p.path);
    }
  },
};

/** LocalTransport.iter_files_recursive: depth first, each directory's entries in listing order. */
const iterFilesRecursive: VerbHandler = {
  breezyClass: 'IterFilesRecursiveRequest',
  params: ['relpath'],
  async run(call, ctx) {
    const p = pathOf(call, ctx);
    if (!p.ok) return p.answer;
    const files: string[] = [];
    let queue: string[];
    try {
      queue = await listNames(p.path);
    } catch (err) {
      return fsErrorAnswer(err, p.path);
    }
    while (queue.length > 0) {
      const rel = queue.shift() as string;
      const abs = `${p.path}/${rel}`;
      try {
        if ((await lstat(abs)).isDirectory()) queue = [...(await listNames(abs)).map((n) => `${rel}/${n}`), ...queue];
        else files.push(urlEscape(rel));
      } catch (err) {
        return fsErrorAnswer(err, abs);
      }
    }
    return ok('names', ...files);
  },
};

const readv: VerbHandler = {
  breezyClass: 'ReadvRequest',
  params: ['relpath'],
  async run(call, ctx) {
    const p = pathOf(call, ctx);
    const body = await wholeBody(call, MAX_READV_BODY_BYTES);
    if (isAnswer(body)) return body;
    if (!p.ok) return p.answer;
    const ranges = parseReadvOffsets(body);
    if (!Array.isArray(ranges)) return ranges;
    let file;
    try {
      file = await open(p.path, 'r');
    } catch (err) {
      return fsErrorAnswer(err, p.path);
    }
    const info = await file.stat();
    const refusal = info.isDirectory()
      ? ({ status: 'E', args: ['error', 'AttributeError', "'LateReadError' object has no attribute 'seek'"] } as MessageAnswer)
      : checkReadv(ranges, info.size, p.vfsRelpath);
    if (refusal) {
      await file.close();
      return refusal;
    }
    const length = ranges.reduce((sum, r) => sum + r.length, 0);
    return { status: 'S', args: ['readv'], body: { pieces: readRanges(file, ranges, urlEscape(p.relpath)), length } };
  },
};

export const VFS_READ_VERBS: ReadonlyArray<readonly [string, VerbHandler]> = [
  ['hello', hello],
  ['Transport.is_readonly', isReadonly],
  ['has', has],
  ['get', get],
  ['stat', statVerb],
  ['list_dir', listDir],
  ['iter_files_recursive', iterFilesRecursive],
  ['readv', readv],
];
