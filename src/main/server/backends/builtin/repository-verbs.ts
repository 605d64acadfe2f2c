/**
 * The Repository verbs real brz operations need (breezy/bzr/smart/repository.py): whether
 * it is shared, its revision graph (read from a 2a repository's indexes), and its physical
 * write lock (a LockDir at `.bzr/repository/lock`, left in place between calls: the client
 * holds it by its token).
 */
import { BadIndexError } from '../../../../shared/bzr-formats/btree-index';
import type { MessageAnswer } from '../../core/server-call';
import { isBzrDir, isShared, notBranchAnswer, noRepositoryAnswer, repositoryFormatAt, type Location } from './control-dir';
import { locationOf } from './bzrdir-verbs';
import { LockDir } from './lock-dir';
import { readParentMap, revisionGraphLines } from './revision-graph';
import type { BuiltinContext, VerbHandler } from './verb-table';

const ok = (...args: string[]): MessageAnswer => ({ status: 'S', args });
const fail = (...args: string[]): MessageAnswer => ({ status: 'E', args });
const text = (v: unknown): string => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : '');

export const repositoryLock = (loc: Location): LockDir => new LockDir(`${loc.path}/.bzr/repository/lock`);

/** The repository exactly at `loc` (SmartServerRepositoryRequest: no searching), or the error. */
export async function openRepository(loc: Location): Promise<MessageAnswer | null> {
  if (!(await isBzrDir(loc))) return notBranchAnswer(loc);
  if ((await repositoryFormatAt(loc)) === null) return noRepositoryAnswer(loc);
  return null;
}

/** A verb over the repository at arg 0, with the rest of its arguments. */
function repositoryVerb(breezyClass: string, params: readonly string[], run: (loc: Location, args: string[], ctx: BuiltinContext) => Promise<MessageAnswer>): VerbHandler {
  return {
    breezyClass,
    params: ['path', ...params],
    async run(call, ctx) {
      const loc = locationOf(call, ctx);
      if (!('rel' in loc)) return loc;
      const refused = await openRepository(loc);
      if (refused) return refused;
      return run(loc, call.args.slice(1).map(text), ctx);
    },
  };
}

/**
 * Takes the repository lock, or re-validates the token of the lock the client holds;
 * the token, or the failure answer.
 */
export async function lockRepository(loc: Location, token: string): Promise<string | MessageAnswer> {
  const lock = repositoryLock(loc);
  if (token !== '') {
    const holder = await lock.peek();
    return holder?.nonce === token ? token : fail('TokenMismatch', token, holder?.nonce ?? '');
  }
  const taken = await lock.take();
  return taken.ok ? taken.token : fail('LockContention');
}

const isSharedVerb = repositoryVerb('SmartServerRepositoryIsShared', [], async (loc) => ok((await isShared(loc)) ? 'yes' : 'no'));

const lockWrite: VerbHandler = {
  ...repositoryVerb('SmartServerRepositoryLockWrite', [], async (loc, [token = ''], ctx) => {
    if (!ctx.allowWrites) return fail('LockFailed', repositoryLock(loc).dir, 'readonly transport');
    const result = await lockRepository(loc, token);
    return typeof result === 'string' ? ok('ok', result) : result;
  }),
  params: ['path'],
  optional: ['token'],
};

const unlock = repositoryVerb('SmartServerRepositoryUnlock', ['token'], async (loc, [token]) => {
  const lock = repositoryLock(loc);
  if (!(await lock.holds(token))) return fail('TokenMismatch');
  await lock.remove('releasing');
  return ok('ok');
});

const breakLock = repositoryVerb('SmartServerRepositoryBreakLock', [], async (loc, _args, ctx) => {
  if (!ctx.allowWrites) return fail('ReadOnlyError');
  await repositoryLock(loc).remove('broken');
  return ok('ok');
});

const getRevisionGraph = repositoryVerb('SmartServerRepositoryGetRevisionGraph', ['revision_id'], async (loc, [revid]) => {
  let parents;
  try {
    parents = await readParentMap(`${loc.path}/.bzr/repository`);
  } catch (err) {
    if (err instanceof BadIndexError) return fail('error', 'BadIndexError', err.message);
    throw err;
  }
  const lines = revisionGraphLines(parents, revid);
  // Breezy sends an empty body even with this error, so a client can always read one.
  if (lines === null) return { status: 'E', args: ['nosuchrevision', revid], body: new Uint8Array(0) };
  return { status: 'S', args: ['ok'], body: Buffer.from(lines.join('\n'), 'utf8') };
});

const hasRevision = repositoryVerb('SmartServerRequestHasRevision', ['revision_id'], async (loc, [revid]) => {
  const parents = await readParentMap(`${loc.path}/.bzr/repository`);
  return ok(parents.has(revid) ? 'yes' : 'no');
});

export const REPOSITORY_VERBS: ReadonlyArray<readonly [string, VerbHandler]> = [
  ['Repository.is_shared', isSharedVerb],
  ['Repository.lock_write', lockWrite],
  ['Repository.unlock', unlock],
  ['Repository.break_lock', breakLock],
  ['Repository.get_revision_graph', getRevisionGraph],
  ['Repository.has_revision', hasRevision],
];
