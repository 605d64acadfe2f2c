/**
 * The Branch verbs real brz operations need (breezy/bzr/smart/branch.py), and the cheap reads
 * a client asks for on every open (stacked-on URL, config file, tags): the tip, and the
 * write lock: the branch's LockDir (`.bzr/branch/lock`), left in place for the client to
 * use by its token.
 */
import { readFile } from 'node:fs/promises';
import { NULL_REVISION, parseLastRevision } from '../../../../shared/bzr-formats/control-formats';
import { dottedRevnos } from '../../../../shared/bzr-formats/dotted-revnos';
import { readRioStanzas } from '../../../../shared/bzr-formats/rio';
import { bencode } from '../../../../shared/protocol/bencode';
import type { BValue } from '../../../../shared/protocol';
import { unknownMethodAnswer, type MessageAnswer, type ServerCall } from '../../core/server-call';
import { fsErrorAnswer } from './fs-errors';
import { branchAt, findRepository, isBzrDir, notBranchAnswer, noRepositoryAnswer, repositoryFormatAt, transportUrl, type Location } from './control-dir';
import { locationOf } from './bzrdir-verbs';
import { iterLefthand, RevisionNotPresentError } from './lefthand-history';
import { LockDir } from './lock-dir';
import { revisionGraphLines } from './revision-graph';
import { packUnlockAnswer } from './repository-verbs';
import type { BuiltinContext, VerbHandler } from './verb-table';

const ok = (...args: string[]): MessageAnswer => ({ status: 'S', args });
const fail = (...args: string[]): MessageAnswer => ({ status: 'E', args });
const text = (v: unknown): string => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : '');

export const branchLock = (loc: Location): LockDir => new LockDir(`${loc.path}/.bzr/branch/lock`);

/** SmartServerBranchRequest: a bzrdir with a branch (not a reference) at arg 0. */
export function branchVerb(
  breezyClass: string,
  params: readonly string[],
  run: (loc: Location, args: string[], ctx: BuiltinContext, call: ServerCall) => Promise<MessageAnswer>,
  optional?: readonly string[],
): VerbHandler {
  return {
    breezyClass,
    params: ['path', ...params],
    optional,
    async run(call, ctx) {
      const loc = locationOf(call, ctx);
      if (!('rel' in loc)) return loc;
      if (!(await isBzrDir(loc))) return notBranchAnswer(loc);
      const branch = await branchAt(loc);
      if (branch.kind === 'reference') return notBranchAnswer(loc);
      if (branch.kind === 'none') {
        const detail = (await repositoryFormatAt(loc)) === null ? '' : 'location is a repository';
        return notBranchAnswer(loc, '.bzr/branch/', detail);
      }
      return run(loc, call.args.slice(1).map(text), ctx, call);
    },
  };
}

const lastRevisionInfo = branchVerb('SmartServerBranchRequestLastRevisionInfo', [], async (loc) => {
  const tip = parseLastRevision(await readFile(`${loc.path}/.bzr/branch/last-revision`, 'utf8'));
  if (tip === null) return fail('error', 'BzrError', 'bad last-revision file');
  return ok('ok', String(tip.revno), tip.revid);
});

/**
 * Branch.revision_id_to_revno for a revision on the branch's main line (its revno counted
 * back from the tip), a merged one (its dotted revno, src/shared/bzr-formats/dotted-revnos.ts)
 * or one not in its history at all (NoSuchRevision). A history that runs into a ghost or a
 * stacked-on repository needs what the branch stacks on: that is left to the client's VFS
 * fallback (UnknownMethod).
 */
const revisionIdToRevno = branchVerb('SmartServerBranchRequestRevisionIdToRevno', ['revid'], async (loc, [revid], ctx, call) => {
  if (revid === NULL_REVISION) return ok('ok', '0');
  const tip = parseLastRevision(await readFile(`${loc.path}/.bzr/branch/last-revision`, 'utf8'));
  const repo = await findRepository(ctx.root, loc);
  if (tip === null || repo === null) return unknownMethodAnswer(call);
  const parents = await ctx.graphs.get(`${repo.loc.path}/.bzr/repository`);
  try {
    let revno = tip.revno;
    for (const id of iterLefthand(parents, tip.revid)) {
      if (id === revid) return ok('ok', String(revno));
      revno--;
    }
  } catch (err) {
    if (err instanceof RevisionNotPresentError) return unknownMethodAnswer(call);
    throw err;
  }
  const history = revisionGraphLines(parents, tip.revid) ?? [];
  if (!history.some((line) => line.split(' ')[0] === revid)) return fail('NoSuchRevision', revid);
  const ghostInHistory = history.some((line) => (parents.get(line.split(' ')[0]) ?? []).some((p) => p !== NULL_REVISION && !parents.has(p)));
  const dotted = ghostInHistory ? undefined : dottedRevnos(parents, tip.revid).get(revid);
  return dotted ? ok('ok', ...dotted.map(String)) : unknownMethodAnswer(call);
});

/**
 * Branch.lock_write: the branch's LockDir, taken (or re-validated by the client's token) and
 * left in place; the repository's lock, a 2a pack repository's, has no token (repository-verbs).
 */
const lockWrite = branchVerb(
  'SmartServerBranchRequestLockWrite',
  [],
  async (loc, [branchToken = ''], ctx) => {
    if (!ctx.allowWrites) {
      return fail('LockFailed', `LockDir(${transportUrl(loc.rel, '.bzr/branch/lock')})`, 'Transport operation not possible: readonly transport ');
    }
    if (!(await findRepository(ctx.root, loc))) return noRepositoryAnswer(loc);
    const lock = branchLock(loc);
    if (branchToken !== '') return (await lock.holds(branchToken)) ? ok('ok', branchToken, '') : fail('TokenMismatch');
    const taken = await lock.take();
    return taken.ok ? ok('ok', taken.token, '') : fail('LockContention');
  },
  ['branch_token', 'repo_token'],
);

const unlock = branchVerb('SmartServerBranchRequestUnlock', ['branch_token', 'repo_token'], async (loc, [branchToken, repoToken], ctx) => {
  const repo = await findRepository(ctx.root, loc);
  if (!repo) return noRepositoryAnswer(loc);
  const lock = branchLock(loc);
  if (!(await lock.holds(branchToken))) return fail('TokenMismatch');
  if (repoToken !== '') return packUnlockAnswer(repo.loc);
  await lock.remove('releasing');
  return ok('ok');
});

const breakLock = branchVerb('SmartServerBranchBreakLock', [], async (loc, _args, ctx) => {
  if (!ctx.allowWrites) return fail('ReadOnlyError');
  await branchLock(loc).remove('broken');
  return ok('ok');
});

/** A branch's own `branch.conf` value (its default section, as BranchOnlyStack reads it). */
export async function branchConfValue(loc: Location, name: string): Promise<string | null> {
  const text = await readFile(`${loc.path}/.bzr/branch/branch.conf`, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('[')) break;
    const m = /^\s*([^=#\s]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[1] === name) return m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return null;
}

const getStackedOnUrl = branchVerb('SmartServerBranchRequestGetStackedOnURL', [], async (loc) => {
  const url = await branchConfValue(loc, 'stacked_on_location');
  return url ? ok('ok', url) : fail('NotStacked');
});

/** Branch.get_parent: the branch's `parent_location` as stored (the client resolves it), '' when none. */
const getParent = branchVerb('SmartServerBranchRequestGetParent', [], async (loc) => ok((await branchConfValue(loc, 'parent_location')) ?? ''));

const getPhysicalLockStatus = branchVerb('SmartServerBranchRequestGetPhysicalLockStatus', [], async (loc) => ok((await branchLock(loc).peek()) ? 'yes' : 'no'));

/**
 * Branch.get_all_reference_info: the tree references recorded in `.bzr/branch/references`
 * (rio stanzas: file_id, branch_location, tree_path) as a bencoded list of
 * [file_id, location, tree_path or ''], in the file's order; none when there is no file.
 */
const getAllReferenceInfo = branchVerb('SmartServerBranchRequestGetAllReferenceInfo', [], async (loc) => {
  const text = await readFile(`${loc.path}/.bzr/branch/references`, 'utf8').catch(() => '');
  const byFileId = new Map<string, BValue>();
  for (const stanza of readRioStanzas(text)) {
    const fileId = stanza.get('file_id') ?? '';
    byFileId.set(fileId, [Buffer.from(fileId), Buffer.from(stanza.get('branch_location') ?? ''), Buffer.from(stanza.get('tree_path') ?? '')]);
  }
  return { status: 'S', args: ['ok'], body: bencode([...byFileId.values()]) };
});

const getConfigFile = branchVerb('SmartServerBranchGetConfigFile', [], async (loc) => {
  const content = await readFile(`${loc.path}/.bzr/branch/branch.conf`).catch(() => Buffer.alloc(0));
  return { status: 'S', args: ['ok'], body: content };
});

const getTagsBytes = branchVerb('SmartServerBranchGetTagsBytes', [], async (loc) => {
  const path = `${loc.path}/.bzr/branch/tags`;
  try {
    return { status: 'S', args: [await readFile(path)] };
  } catch (err) {
    return fsErrorAnswer(err, path);
  }
});

export const BRANCH_VERBS: ReadonlyArray<readonly [string, VerbHandler]> = [
  ['Branch.last_revision_info', lastRevisionInfo],
  ['Branch.revision_id_to_revno', revisionIdToRevno],
  ['Branch.lock_write', lockWrite],
  ['Branch.unlock', unlock],
  ['Branch.break_lock', breakLock],
  ['Branch.get_stacked_on_url', getStackedOnUrl],
  ['Branch.get_config_file', getConfigFile],
  ['Branch.get_parent', getParent],
  ['Branch.get_all_reference_info', getAllReferenceInfo],
  ['Branch.get_physical_lock_status', getPhysicalLockStatus],
  ['Branch.get_tags_bytes', getTagsBytes],
];
