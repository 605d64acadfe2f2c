/**
 * The writing VFS verbs (vfs.py) as Breezy's LocalTransport performs them: `put` through a
 * temporary file renamed into place (atomicfile.py), `put_non_atomic` and `append` in place,
 * modes as decimal numbers (`_deserialise_optional_mode`), chmod where umask got in the way.
 * Read-only unless the server allows writes: Breezy checks paths first, then answers
 * `ReadOnlyError`. Request bodies are written as they arrive, never gathered whole.
 */
import { constants } from 'node:fs';
import { chmod, mkdir, open, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { checkPathArguments, type ConfinedPath } from '../../confinement';
import type { MessageAnswer, ServerCall } from '../../core/server-call';
import { errnoCode, fsErrorAnswer } from './fs-errors';
import { isAnswer, parseOptionalMode, urlEscape, type BuiltinContext, type VerbHandler } from './verb-table';

const OK: MessageAnswer = { status: 'S', args: ['ok'] };
const READ_ONLY: MessageAnswer = { status: 'E', args: ['ReadOnlyError'] };

/** Reads and drops what is left of a request body (a refused write still sent its bytes). */
async function drain(call: ServerCall): Promise<void> {
  for await (const chunk of call.body) void chunk;
}

/** Writes the request body to an open file as it arrives. */
async function pumpBody(call: ServerCall, file: FileHandle): Promise<void> {
  for await (const chunk of call.body) await file.write(chunk);
}

/** The checks every write makes before touching the disk: paths, modes, then read-only. */
function admitWrite(call: ServerCall, ctx: BuiltinContext, modeArgs: readonly number[]): { paths: ConfinedPath[]; modes: (number | null)[] } | MessageAnswer {
  const paths = checkPathArguments(ctx.root, call.verb, call.args);
  if (!Array.isArray(paths)) return paths.answer;
  const modes: (number | null)[] = [];
  for (const i of modeArgs) {
    const mode = parseOptionalMode(call.args[i]);
    if (isAnswer(mode)) return mode;
    modes.push(mode);
  }
  if (!ctx.allowWrites) return READ_ONLY;
  return { paths: paths as ConfinedPath[], modes };
}

/** Python's random suffix for AtomicFile (`osutils.rand_chars(10)`). */
function randChars(n: number): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Where AtomicFile writes before renaming into `path` (`PATH.PID.HOST.RANDOM.tmp`). */
export function atomicTempPath(path: string): string {
  return `${path}.${process.pid}.${hostname()}.${randChars(10)}.tmp`;
}

const put: VerbHandler = {
  breezyClass: 'PutRequest',
  params: ['relpath', 'mode'],
  async run(call, ctx) {
    const admitted = admitWrite(call, ctx, [1]);
    if (isAnswer(admitted)) return drain(call).then(() => admitted);
    const [{ path }] = admitted.paths;
    const [mode] = admitted.modes;
    const tmp = atomicTempPath(path);
    let file: FileHandle;
    try {
      file = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode ?? 0o666);
    } catch (err) {
      await drain(call);
      return fsErrorAnswer(err, path);
    }
    try {
      if (mode !== null && ((await file.stat()).mode & 0o7777) !== mode) await file.chmod(mode);
      await pumpBody(call, file);
      await file.close();
      await rename(tmp, path);
      return OK;
    } catch (err) {
      await file.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      await drain(call).catch(() => undefined);
      const code = errnoCode(err);
      if (code === 'EISDIR') {
        return { status: 'E', args: ['error', 'IsADirectoryError', `[Errno 21] Is a directory [occurred when renaming '${tmp}' to '${path}']`] };
      }
      return fsErrorAnswer(err, path);
    }
  },
};

const putNonAtomic: VerbHandler = {
  breezyClass: 'PutNonAtomicRequest',
  params: ['relpath', 'mode', 'create_parent', 'dir_mode'],
  async run(call, ctx) {
    const admitted = admitWrite(call, ctx, [1, 3]);
    if (isAnswer(admitted)) return drain(call).then(() => admitted);
    const [{ path }] = admitted.paths;
    const [mode, dirMode] = admitted.modes;
    const createParent = Buffer.from(call.args[2] as Uint8Array).toString() === 'T';
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC;
    let file: FileHandle;
    try {
      file = await open(path, flags, mode ?? 0o666);
    } catch (err) {
      const code = errnoCode(err);
      if (!createParent || (code !== 'ENOENT' && code !== 'ENOTDIR')) return drain(call).then(() => fsErrorAnswer(err, path));
      const parent = dirname(path);
      try {
        await mkdir(parent, dirMode ?? 0o777);
        if (dirMode !== null) await chmod(parent, dirMode);
        file = await open(path, flags, mode ?? 0o666);
      } catch (err2) {
        return drain(call).then(() => fsErrorAnswer(err2, errnoCode(err2) === 'EEXIST' ? parent : path));
      }
    }
    try {
      if (mode !== null && ((await file.stat()).mode & 0o7777) !== mode) await file.chmod(mode);
      await pumpBody(call, file);
      return OK;
    } catch (err) {
      await drain(call).catch(() => undefined);
      return fsErrorAnswer(err, path);
    } finally {
      await file.close();
    }
  },
};

const append: VerbHandler = {
  breezyClass: 'AppendRequest',
  params: ['relpath', 'mode'],
  async run(call, ctx) {
    const admitted = admitWrite(call, ctx, [1]);
    if (isAnswer(admitted)) return drain(call).then(() => admitted);
    const [{ path, relpath }] = admitted.paths;
    const [mode] = admitted.modes;
    let file: FileHandle;
    try {
      file = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, mode ?? 0o666);
    } catch (err) {
      // LocalTransport._get_append_file names the relpath, not the absolute path.
      return drain(call).then(() => fsErrorAnswer(err, path, { named: urlEscape(relpath) }));
    }
    try {
      const info = await file.stat();
      if (mode !== null && (info.mode & 0o7777) !== mode) await file.chmod(mode);
      await pumpBody(call, file);
      return { status: 'S', args: ['appended', String(info.size)] };
    } catch (err) {
      await drain(call).catch(() => undefined);
      return fsErrorAnswer(err, path);
    } finally {
      await file.close();
    }
  },
};

const mkdirVerb: VerbHandler = {
  breezyClass: 'MkdirRequest',
  params: ['relpath', 'mode'],
  async run(call, ctx) {
    const admitted = admitWrite(call, ctx, [1]);
    if (isAnswer(admitted)) return admitted;
    const [{ path }] = admitted.paths;
    const [mode] = admitted.modes;
    try {
      await mkdir(path, mode ?? 0o777);
      if (mode !== null) await chmod(path, mode);
      return OK;
    } catch (err) {
      return fsErrorAnswer(err, path);
    }
  },
};

/** A verb of one path doing one filesystem call, errors naming the absolute path. */
function onePathVerb(breezyClass: string, op: (path: string) => Promise<void>): VerbHandler {
  return {
    breezyClass,
    params: ['relpath'],
    async run(call, ctx) {
      const admitted = admitWrite(call, ctx, []);
      if (isAnswer(admitted)) return admitted;
      const [{ path }] = admitted.paths;
      try {
        await op(path);
        return OK;
      } catch (err) {
        return fsErrorAnswer(err, path);
      }
    },
  };
}

const renameVerb: VerbHandler = {
  breezyClass: 'RenameRequest',
  params: ['rel_from', 'rel_to'],
  async run(call, ctx) {
    const admitted = admitWrite(call, ctx, []);
    if (isAnswer(admitted)) return admitted;
    const [from, to] = admitted.paths;
    try {
      await rename(from.path, to.path);
      return OK;
    } catch (err) {
      return fsErrorAnswer(err, from.path, { to: to.path });
    }
  },
};

/**
 * Transport.move: a directory moved onto an existing one is refused as FileExists of the
 * destination (Breezy's base move copies the tree and its mkdir fails); otherwise a rename
 * that replaces the destination file.
 */
const moveVerb: VerbHandler = {
  breezyClass: 'MoveRequest',
  params: ['rel_from', 'rel_to'],
  async run(call, ctx) {
    const admitted = admitWrite(call, ctx, []);
    if (isAnswer(admitted)) return admitted;
    const [from, to] = admitted.paths;
    try {
      const fromIsDir = (await stat(from.path)).isDirectory();
      const toExists = await stat(to.path).then(() => true, () => false);
      if (fromIsDir && toExists) return { status: 'E', args: ['FileExists', to.path] };
      await rename(from.path, to.path);
      return OK;
    } catch (err) {
      return fsErrorAnswer(err, from.path, { to: to.path });
    }
  },
};

export const VFS_WRITE_VERBS: ReadonlyArray<readonly [string, VerbHandler]> = [
  ['put', put],
  ['put_non_atomic', putNonAtomic],
  ['append', append],
  ['mkdir', mkdirVerb],
  ['rmdir', onePathVerb('RmdirRequest', rmdir)],
  ['delete', onePathVerb('DeleteRequest', unlink)],
  ['rename', renameVerb],
  ['move', moveVerb],
];
