/**
 * Making control directories, repositories and branches as Breezy's server does:
 * BzrDirFormat.initialize_ex_1.16 (breezy/bzr/smart/bzrdir.py
 * SmartServerRequestBzrDirInitializeEx, bzrdir.py initialize_on_transport_ex) — the target
 * directory made (or an existing one used, or its parents created), a bare meta directory in
 * it, and, when a repository format is named, the repository policy: the nearest containing
 * shared repository, else a new 2a repository here (shared or not, with or without working
 * trees) laid out as RepositoryFormatPack.initialize lays it out; the answer describes the
 * repository (path relative to the new bzrdir, capabilities, formats) and no stacking — and
 * BzrDir.create_repository / create_branch (what `brz init` sends after
 * BzrDirFormat.initialize).
 *
 * Stacking (asked for, or a `default_stack_on` in a containing bzrdir's `control.conf`),
 * another bzrdir format and any repository format but 2a are Breezy's to lay out: those
 * requests answer UnknownMethod before anything is written, and brz does it over the VFS.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import {
  BRANCH_FORMAT_8, BZRDIR_META_FORMAT_1, LAST_REVISION_BRANCH_FORMATS, NULL_REVISION, REPOSITORY_CAPABILITIES, REPOSITORY_FORMAT_2A,
} from '../../../../shared/bzr-formats/control-formats';
import { unknownMethodAnswer, type MessageAnswer } from '../../core/server-call';
import { createBzrDir, locationOf } from './bzrdir-verbs';
import { findRepository, isBzrDir, notBranchAnswer, repositoryFormatAt, type Location } from './control-dir';
import { errnoCode, fsErrorAnswer } from './fs-errors';
import { bytesRepr, type VerbHandler } from './verb-table';

const fail = (...args: string[]): MessageAnswer => ({ status: 'E', args });
const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/** An empty B+Tree graph index (`pack-names` of a repository with no packs). */
const EMPTY_PACK_NAMES = 'B+Tree Graph Index 2\nnode_ref_lists=0\nkey_elements=1\nlen=0\nrow_lengths=\n';

/** The directories RepositoryFormatPack.initialize makes, besides the lock. */
const REPOSITORY_DIRS = ['indices', 'obsolete_packs', 'packs', 'upload'];

/** parse_NoneTrueFalse: '' is none; anything but True/False is Breezy's AssertionError. */
function noneTrueFalse(arg: Uint8Array): boolean | null | MessageAnswer {
  const text = Buffer.from(arg).toString('latin1');
  if (text === '') return null;
  if (text === 'True' || text === 'False') return text === 'True';
  return fail('error', 'AssertionError', `invalid arg ${bytesRepr(arg)}`);
}

/** Does any bzrdir from `loc` up to the root configure a default stacking location? */
async function stackingConfigured(root: string, loc: Location): Promise<boolean> {
  for (let rel = loc.rel; ; rel = rel.includes('/') ? posix.dirname(rel) : '') {
    const at = { rel, path: rel === '' ? root : `${root}/${rel}` };
    if (await isBzrDir(at)) {
      const conf = await readFile(`${at.path}/.bzr/control.conf`, 'utf8').catch(() => '');
      if (/^\s*default_stack_on\s*=\s*\S/m.test(conf)) return true;
    }
    if (rel === '') return false;
  }
}

/** Is there a repository in any bzrdir above `loc` (a shared one or one that ends the search)? */
async function repositoryAbove(root: string, loc: Location): Promise<boolean> {
  for (let rel = loc.rel; rel !== ''; ) {
    rel = rel.includes('/') ? posix.dirname(rel) : '';
    const at = { rel, path: rel === '' ? root : `${root}/${rel}` };
    if ((await isBzrDir(at)) && (await repositoryFormatAt(at)) !== null) return true;
  }
  return false;
}

/** RepositoryFormatPack.initialize for 2a: its directories, an empty pack-names, the format, the lock directory. */
async function createRepository(loc: Location, shared: boolean, makeWorkingTrees: boolean | null): Promise<void> {
  const dir = `${loc.path}/.bzr/repository`;
  await mkdir(dir);
  await mkdir(`${dir}/lock`);
  for (const sub of REPOSITORY_DIRS) await mkdir(`${dir}/${sub}`);
  await writeFile(`${dir}/pack-names`, EMPTY_PACK_NAMES);
  await writeFile(`${dir}/format`, REPOSITORY_FORMAT_2A);
  if (shared) await writeFile(`${dir}/shared-storage`, '');
  // set_make_working_trees: False leaves a marker; True (or none) leaves none.
  if (makeWorkingTrees === false) await writeFile(`${dir}/no-working-trees`, '');
}

/** initialize_on_transport_ex's directory step: mkdir, or use it, or make its parents. */
async function makeTarget(loc: Location, useExisting: boolean | null, createPrefix: boolean | null): Promise<MessageAnswer | null> {
  try {
    await mkdir(loc.path);
    return null;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST' && useExisting) return null;
    if (code === 'ENOENT' && createPrefix) {
      await mkdir(loc.path, { recursive: true });
      return null;
    }
    return fsErrorAnswer(err, loc.path);
  }
}

const initializeEx: VerbHandler = {
  breezyClass: 'SmartServerRequestBzrDirInitializeEx',
  params: ['bzrdir_network_name', 'path', 'use_existing_dir', 'create_prefix', 'force_new_repo', 'stacked_on', 'stack_on_pwd', 'repo_format_name', 'make_working_trees', 'shared_repo'],
  async run(call, ctx) {
    const loc = locationOf({ ...call, args: call.args.slice(1) }, ctx);
    if (!('rel' in loc)) return loc;
    const bytes = call.args.map((a) => (a instanceof Uint8Array ? a : new Uint8Array(0)));
    const flags: (boolean | null)[] = [];
    for (const index of [2, 3, 4, 8, 9]) {
      const flag = noneTrueFalse(bytes[index]);
      if (flag !== null && typeof flag === 'object') return flag;
      flags.push(flag);
    }
    const [useExisting, createPrefix, forceNewRepo, makeWorkingTrees, sharedRepo] = flags;
    const text = (i: number) => Buffer.from(bytes[i]).toString('utf8');
    const repoFormat = text(7);
    const unsupported = text(0) !== BZRDIR_META_FORMAT_1 || text(5) !== '' || (repoFormat !== '' && repoFormat !== REPOSITORY_FORMAT_2A);
    if (unsupported || (repoFormat !== '' && (await stackingConfigured(ctx.root, loc)))) return unknownMethodAnswer(call);
    if (!ctx.allowWrites) return fail('ReadOnlyError');
    const refused = (await makeTarget(loc, useExisting, createPrefix)) ?? (await createBzrDir(loc));
    if (refused) return refused;
    if (repoFormat === '') return { status: 'S', args: ['', '', '', '', '', '', BZRDIR_META_FORMAT_1, 'False', '', '', ''] };
    // determine_repository_policy: a containing shared repository unless a new one is forced.
    // The client's stack_on_pwd comes back only from the last resort (nothing found above, or
    // forced); relative_url leaves it as sent (the client never knows the server's scheme).
    let repo = forceNewRepo ? null : await findRepository(ctx.root, loc);
    let stackOnPwd = '';
    if (repo === null) {
      if (forceNewRepo || !(await repositoryAbove(ctx.root, loc))) stackOnPwd = text(6);
      await createRepository(loc, sharedRepo === true, makeWorkingTrees);
      repo = { loc, format: REPOSITORY_FORMAT_2A, relpath: '' };
    }
    const [richRoot, treeRef, externalLookup] = REPOSITORY_CAPABILITIES.get(repo.format) as readonly string[];
    const repoPath = repo.relpath === '' ? '.' : repo.relpath;
    return { status: 'S', args: [repoPath, richRoot, treeRef, externalLookup, repo.format, BZRDIR_META_FORMAT_1, BZRDIR_META_FORMAT_1, 'False', '', stackOnPwd, ''] };
  },
};

/** What the verbs below are given: an existing bzrdir (BzrDir.open_from_transport), or Breezy's NotBranchError. */
async function existingBzrDir(call: Parameters<VerbHandler['run']>[0], ctx: Parameters<VerbHandler['run']>[1]): Promise<Location | MessageAnswer> {
  const loc = locationOf(call, ctx);
  if (!('rel' in loc)) return loc;
  if (!(await isBzrDir(loc))) return notBranchAnswer(loc);
  return loc;
}

/**
 * BzrDir.create_repository: a new 2a repository in an existing bzrdir (shared when asked),
 * as RepositoryFormatPack.initialize lays it out. Another format, or a bzrdir that already
 * has a repository, is left to the client's VFS fallback.
 */
const createRepositoryVerb: VerbHandler = {
  breezyClass: 'SmartServerRequestCreateRepository',
  params: ['path', 'network_name', 'shared'],
  async run(call, ctx) {
    const loc = await existingBzrDir(call, ctx);
    if (!('rel' in loc)) return loc;
    const [format, shared] = call.args.slice(1, 3).map((a) => Buffer.from(a as Uint8Array).toString('utf8'));
    if (format !== REPOSITORY_FORMAT_2A || (await exists(`${loc.path}/.bzr/repository`))) return unknownMethodAnswer(call);
    if (!ctx.allowWrites) return fail('ReadOnlyError');
    await createRepository(loc, shared === 'True', null);
    const [richRoot, treeRef, externalLookup] = REPOSITORY_CAPABILITIES.get(format) as readonly string[];
    return { status: 'S', args: ['ok', richRoot, treeRef, externalLookup, format] };
  },
};

/**
 * BzrDir.create_branch: a new branch of format 6, 7 or 8 in an existing bzrdir whose
 * repository is found (its own or a containing shared one), laid out as
 * BranchFormatMetadir.initialize does: lock directory, `last-revision` `0 null:`, empty
 * `branch.conf` and `tags` (and `references` for format 8), `format`. Another format, an
 * existing branch or no repository is left to the client's VFS fallback.
 */
const createBranchVerb: VerbHandler = {
  breezyClass: 'SmartServerRequestCreateBranch',
  params: ['path', 'network_name'],
  async run(call, ctx) {
    const loc = await existingBzrDir(call, ctx);
    if (!('rel' in loc)) return loc;
    const format = Buffer.from(call.args[1] as Uint8Array).toString('utf8');
    const repo = await findRepository(ctx.root, loc);
    if (!LAST_REVISION_BRANCH_FORMATS.has(format) || repo === null || (await exists(`${loc.path}/.bzr/branch/format`))) return unknownMethodAnswer(call);
    if (!ctx.allowWrites) return fail('ReadOnlyError');
    const dir = `${loc.path}/.bzr/branch`;
    await mkdir(dir).catch((err: unknown) => {
      if (errnoCode(err) !== 'EEXIST') throw err;
    });
    await mkdir(`${dir}/lock`);
    await writeFile(`${dir}/last-revision`, `0 ${NULL_REVISION}\n`);
    await writeFile(`${dir}/branch.conf`, '');
    await writeFile(`${dir}/tags`, '');
    if (format === BRANCH_FORMAT_8) await writeFile(`${dir}/references`, '');
    await writeFile(`${dir}/format`, format);
    const [richRoot, treeRef, externalLookup] = REPOSITORY_CAPABILITIES.get(repo.format) as readonly string[];
    return { status: 'S', args: ['ok', format, repo.relpath, richRoot, treeRef, externalLookup, repo.format] };
  },
};

export const BZRDIR_INITIALIZE_VERBS: ReadonlyArray<readonly [string, VerbHandler]> = [
  ['BzrDirFormat.initialize_ex_1.16', initializeEx],
  ['BzrDir.create_repository', createRepositoryVerb],
  ['BzrDir.create_branch', createBranchVerb],
];
