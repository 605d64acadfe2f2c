/**
 * The Repository verbs real brz operations need (breezy/bzr/smart/repository.py): whether
 * it is shared, its revision graph (read from a 2a repository's indexes), its statistics
 * (`brz info -v`, from the revision texts in its packs), and its write lock
 * as a pack repository has it (no token; see lockWrite).
 */
import { stat } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { BadIndexError } from '../../../../shared/bzr-formats/btree-index';
import { bzip2 } from '../../../../shared/compression/bzip2';
import type { MessageAnswer, ServerCall } from '../../core/server-call';
import { wholeBody } from './fs-errors';
import { parentMapLines } from './parent-map';
import { isBzrDir, isShared, notBranchAnswer, noRepositoryAnswer, repositoryFormatAt, transportUrl, type Location } from './control-dir';
import { locationOf } from './bzrdir-verbs';
import { LockDir } from './lock-dir';
import { revisionGraphLines } from './revision-graph';
import { gatherStats, NoSuchRevisionError, statsBody } from './revision-stats';
import { PackTexts } from './pack-texts';
import { revIdForRevno } from './lefthand-history';
import { isAnswer, type BuiltinContext, type VerbHandler } from './verb-table';

/** The serializer format of a 2a repository's revisions (chk_serializer.py, format_num). */
const REVISION_SERIALIZER_2A = '10';

/** A search recipe (or a list of revisions) names revisions the client has seen: bounded like any request body. */
const MAX_RECIPE_BYTES = 16 * 1024 * 1024;

const ok = (...args: string[]): MessageAnswer => ({ status: 'S', args });
const fail = (...args: string[]): MessageAnswer => ({ status: 'E', args });
const text = (v: unknown): string => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : '');

const repositoryLock = (loc: Location): LockDir => new LockDir(`${loc.path}/.bzr/repository/lock`);

/** The repository exactly at `loc` (SmartServerRepositoryRequest: no searching), or the error. */
async function openRepository(loc: Location): Promise<MessageAnswer | null> {
  if (!(await isBzrDir(loc))) return notBranchAnswer(loc);
  if ((await repositoryFormatAt(loc)) === null) return noRepositoryAnswer(loc);
  return null;
}

/** A verb over the repository at arg 0, with the rest of its arguments. */
function repositoryVerb(
  breezyClass: string,
  params: readonly string[],
  run: (loc: Location, args: string[], ctx: BuiltinContext, call: ServerCall) => Promise<MessageAnswer>,
): VerbHandler {
  return {
    breezyClass,
    params: ['path', ...params],
    async run(call, ctx) {
      const loc = locationOf(call, ctx);
      if (!('rel' in loc)) return loc;
      const refused = await openRepository(loc);
      if (refused) return refused;
      return run(loc, call.args.slice(1).map(text), ctx, call);
    },
  };
}

const isSharedVerb = repositoryVerb('SmartServerRepositoryIsShared', [], async (loc) => ok((await isShared(loc)) ? 'yes' : 'no'));

/**
 * A 2a (pack) repository is not locked by token: Breezy's `lock_write` gives no repository
 * token and takes no physical lock (the pack collection locks `.bzr/repository/lock` only
 * while it rewrites `pack-names`, client side over the VFS). So the answer is an empty token.
 */
const lockWrite: VerbHandler = {
  ...repositoryVerb('SmartServerRepositoryLockWrite', [], async () => ok('ok', '')),
  params: ['path'],
  optional: ['token'],
};

/** What Breezy answers: unlocking by token is not implemented for pack repositories. */
export function packUnlockAnswer(loc: Location): MessageAnswer {
  const repr = `CHKInventoryRepository('${transportUrl(loc.rel, '.bzr/repository/')}')`;
  return fail('error', 'NotImplementedError', `<bound method PackRepository.dont_leave_lock_in_place of ${repr}>`);
}

const unlock = repositoryVerb('SmartServerRepositoryUnlock', ['token'], async (loc) => packUnlockAnswer(loc));

const breakLock = repositoryVerb('SmartServerRepositoryBreakLock', [], async (loc, _args, ctx) => {
  if (!ctx.allowWrites) return fail('ReadOnlyError');
  await repositoryLock(loc).remove('broken');
  return ok('ok');
});

const getPhysicalLockStatus = repositoryVerb('SmartServerRepositoryGetPhysicalLockStatus', [], async (loc) => ok((await repositoryLock(loc).peek()) ? 'yes' : 'no'));

/** A meta-dir repository makes working trees unless it has a `no-working-trees` file. */
const makeWorkingTrees = repositoryVerb('SmartServerRepositoryMakeWorkingTrees', [], async (loc) =>
  ok((await stat(`${loc.path}/.bzr/repository/no-working-trees`).then(() => true, () => false)) ? 'no' : 'yes'),
);

const getRevisionGraph = repositoryVerb('SmartServerRepositoryGetRevisionGraph', ['revision_id'], async (loc, [revid], ctx) => {
  let parents;
  try {
    parents = await ctx.graphs.get(`${loc.path}/.bzr/repository`);
  } catch (err) {
    if (err instanceof BadIndexError) return fail('error', 'BadIndexError', err.message);
    throw err;
  }
  const lines = revisionGraphLines(parents, revid);
  // Breezy sends an empty body even with this error, so a client can always read one.
  if (lines === null) return { status: 'E', args: ['nosuchrevision', revid], body: new Uint8Array(0) };
  return { status: 'S', args: ['ok'], body: Buffer.from(lines.join('\n'), 'utf8') };
});

const gatherStatsVerb = repositoryVerb('SmartServerRepositoryGatherStats', ['revid', 'committers'], async (loc, [revid, committers], ctx) => {
  const repositoryDir = `${loc.path}/.bzr/repository`;
  try {
    const stats = await gatherStats(repositoryDir, await ctx.graphs.index(repositoryDir), revid, committers === 'yes');
    return { status: 'S', args: ['ok'], body: Buffer.from(statsBody(stats), 'utf8') };
  } catch (err) {
    if (err instanceof NoSuchRevisionError) return fail('nosuchrevision', revid);
    throw err;
  }
});

const hasRevision = repositoryVerb('SmartServerRequestHasRevision', ['revision_id'], async (loc, [revid], ctx) => {
  const parents = await ctx.graphs.get(`${loc.path}/.bzr/repository`);
  return ok(parents.has(revid) ? 'yes' : 'no');
});

/** The request body is the client's search recipe; the answer body is bz2 (see parent-map.ts). */
const getParentMap: VerbHandler = {
  breezyClass: 'SmartServerRepositoryGetParentMap',
  params: ['path'],
  variadic: true,
  async run(call, ctx) {
    const recipe = await wholeBody(call, MAX_RECIPE_BYTES);
    if (isAnswer(recipe)) return recipe;
    const loc = locationOf(call, ctx);
    if (!('rel' in loc)) return loc;
    const refused = await openRepository(loc);
    if (refused) return refused;
    const parents = await ctx.graphs.get(`${loc.path}/.bzr/repository`);
    const lines = parentMapLines(parents, call.args.slice(1).map(text), Buffer.from(recipe).toString('utf8'));
    return { status: 'S', args: ['ok'], body: bzip2(Buffer.from(lines.join('\n'), 'utf8')) };
  },
};

/**
 * Repository.iter_revisions: the request body names revisions, one a line; the answer is the
 * serializer format ('10', 2a's bencode revisions) and one zlib stream per revision the
 * repository has, in the order asked (Breezy's order is its record stream's; the client
 * takes any), absent ones left out.
 */
const iterRevisions: VerbHandler = {
  breezyClass: 'SmartServerRepositoryIterRevisions',
  params: ['path'],
  async run(call, ctx) {
    const wanted = await wholeBody(call, MAX_RECIPE_BYTES);
    if (isAnswer(wanted)) return wanted;
    const loc = locationOf(call, ctx);
    if (!('rel' in loc)) return loc;
    const refused = await openRepository(loc);
    if (refused) return refused;
    const repositoryDir = `${loc.path}/.bzr/repository`;
    const texts = new PackTexts(repositoryDir, (await ctx.graphs.index(repositoryDir)).texts);
    const revids = Buffer.from(wanted).toString('utf8').split('\n');
    async function* compressed(): AsyncGenerator<Uint8Array> {
      for (const revid of revids) {
        const text = await texts.text(revid);
        if (text !== null) yield deflateSync(text);
      }
    }
    return { status: 'S', args: ['ok', REVISION_SERIALIZER_2A], body: { pieces: compressed() } };
  },
};

/** VersionedFileRepository.get_serializer_format: a 2a repository's revisions are format 10. */
const getSerializerFormat = repositoryVerb('SmartServerRepositoryGetSerializerFormat', [], async () => ok('ok', REVISION_SERIALIZER_2A));

/** A v3 int argument (brz sends revnos as bencoded ints). */
const intArg = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);

/**
 * Repository.get_rev_id_for_revno(revno, (known_revno, known_revid)): the main-line revision
 * at `revno` (lefthand-history.ts); the answers' numbers are ints, as Breezy sends them.
 */
const getRevIdForRevno = repositoryVerb('SmartServerRepositoryGetRevIdForRevno', ['revno', 'known_pair'], async (loc, _args, ctx, call) => {
  const revno = intArg(call.args[1]);
  const pair = call.args[2];
  const knownRevno = Array.isArray(pair) ? intArg(pair[0]) : null;
  const knownRevid = Array.isArray(pair) && pair[1] instanceof Uint8Array ? Buffer.from(pair[1]).toString('utf8') : null;
  if (revno === null || knownRevno === null || knownRevid === null || (Array.isArray(pair) && pair.length !== 2)) {
    return fail('error', 'TypeError', 'get_rev_id_for_revno takes an int revno and an (int, bytes) known pair');
  }
  const found = revIdForRevno(await ctx.graphs.get(`${loc.path}/.bzr/repository`), revno, knownRevno, knownRevid);
  switch (found.kind) {
    case 'ok':
      return ok('ok', found.revid);
    case 'history-incomplete':
      return { status: 'S', args: ['history-incomplete', found.revno, found.revid] };
    case 'nosuchrevision':
      return fail('nosuchrevision', found.revid);
    case 'revno-outofbounds':
      return { status: 'E', args: ['revno-outofbounds', found.revno, found.minimum, found.maximum] };
  }
});

export const REPOSITORY_VERBS: ReadonlyArray<readonly [string, VerbHandler]> = [
  ['Repository.is_shared', isSharedVerb],
  ['Repository.lock_write', lockWrite],
  ['Repository.unlock', unlock],
  ['Repository.break_lock', breakLock],
  ['Repository.get_revision_graph', getRevisionGraph],
  ['Repository.get_parent_map', getParentMap],
  ['Repository.has_revision', hasRevision],
  ['Repository.gather_stats', gatherStatsVerb],
  ['Repository.iter_revisions', iterRevisions],
  ['Repository.get_rev_id_for_revno', getRevIdForRevno],
  ['VersionedFileRepository.get_serializer_format', getSerializerFormat],
  ['Repository.get_physical_lock_status', getPhysicalLockStatus],
  ['Repository.make_working_trees', makeWorkingTrees],
];
