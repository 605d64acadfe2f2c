/**
 * The Branch verbs real brz operations need (breezy/bzr/smart/branch.py): the tip, and the
 * write lock, which holds the branch's LockDir (`.bzr/branch/lock`) and its repository's
 * together, both left in place for the client to use by token.
 */
import { readFile } from 'node:fs/promises';
import { parseLastRevision } from '../../../../shared/bzr-formats/control-formats';
import type { MessageAnswer } from '../../core/server-call';
import { branchAt, findRepository, isBzrDir, notBranchAnswer, repositoryFormatAt, type FoundRepository, type Location } from './control-dir';
import { locationOf } from './bzrdir-verbs';
import { LockDir } from './lock-dir';
import { lockRepository, repositoryLock } from './repository-verbs';
import type { BuiltinContext, VerbHandler } from './verb-table';

const ok = (...args: string[]): MessageAnswer => ({ status: 'S', args });
const fail = (...args: string[]): MessageAnswer => ({ status: 'E', args });
const text = (v: unknown): string => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : '');

const branchLock = (loc: Location): LockDir => new LockDir(`${loc.path}/.bzr/branch/lock`);

/** SmartServerBranchRequest: a bzrdir with a branch (not a reference) at arg 0. */
function branchVerb(
  breezyClass: string,
  params: readonly string[],
  run: (loc: Location, args: string[], ctx: BuiltinContext) => Promise<MessageAnswer>,
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
      return run(loc, call.args.slice(1).map(text), ctx);
    },
  };
}

const lastRevisionInfo = branchVerb('SmartServerBranchRequestLastRevisionInfo', [], async (loc) => {
  const tip = parseLastRevision(await readFile(`${loc.path}/.bzr/branch/last-revision`, 'utf8'));
  if (tip === null) return fail('error', 'BzrError', 'bad last-revision file');
  return ok('ok', String(tip.revno), tip.revid);
});

async function repositoryOf(ctx: BuiltinContext, loc: Location): Promise<FoundRepository | MessageAnswer> {
  const repo = await findRepository(ctx.root, loc);
  return repo ?? { status: 'E', args: ['error', 'NoRepositoryPresent', 'No repository present'] };
}

/**
 * Branch.lock_write: the repository first (a new lock, or the client's by its token), then
 * the branch; a branch lock that fails releases a repository lock taken here.
 */
const lockWrite = branchVerb(
  'SmartServerBranchRequestLockWrite',
  [],
  async (loc, [branchToken = '', repoToken = ''], ctx) => {
    if (!ctx.allowWrites) return fail('LockFailed', branchLock(loc).dir, 'readonly transport');
    const repo = await repositoryOf(ctx, loc);
    if (!('loc' in repo)) return repo;
    const repoResult = await lockRepository(repo.loc, repoToken);
    if (typeof repoResult !== 'string') return repoResult.args[0] === 'TokenMismatch' ? fail('TokenMismatch') : repoResult;
    const lock = branchLock(loc);
    let token = branchToken;
    if (token !== '') {
      if (!(await lock.holds(token))) return fail('TokenMismatch');
    } else {
      const taken = await lock.take();
      if (!taken.ok) {
        if (repoToken === '') await repositoryLock(repo.loc).remove('releasing');
        return fail('LockContention');
      }
      token = taken.token;
    }
    return ok('ok', token, repoResult);
  },
  ['branch_token', 'repo_token'],
);

const unlock = branchVerb('SmartServerBranchRequestUnlock', ['branch_token', 'repo_token'], async (loc, [branchToken, repoToken], ctx) => {
  const repo = await repositoryOf(ctx, loc);
  if (!('loc' in repo)) return repo;
  const repoLock = repositoryLock(repo.loc);
  const lock = branchLock(loc);
  if ((repoToken !== '' && !(await repoLock.holds(repoToken))) || !(await lock.holds(branchToken))) return fail('TokenMismatch');
  if (repoToken !== '') await repoLock.remove('releasing');
  await lock.remove('releasing');
  return ok('ok');
});

const breakLock = branchVerb('SmartServerBranchBreakLock', [], async (loc, _args, ctx) => {
  if (!ctx.allowWrites) return fail('ReadOnlyError');
  await branchLock(loc).remove('broken');
  return ok('ok');
});

export const BRANCH_VERBS: ReadonlyArray<readonly [string, VerbHandler]> = [
  ['Branch.last_revision_info', lastRevisionInfo],
  ['Branch.lock_write', lockWrite],
  ['Branch.unlock', unlock],
  ['Branch.break_lock', breakLock],
];
