/**
 * The verbs that write a branch under the client's write lock (breezy/bzr/smart/branch.py
 * SmartServerLockedBranchRequest), re-validated by its token as Breezy's LockDir does (a
 * pack repository's lock takes no token): the tip — `Branch.set_last_revision_info` (revno
 * and revision as the client says) and `Branch.set_last_revision_ex` (the revno found from
 * the graph, refusing divergence or keeping a descendant tip when asked), written as BzrBranch
 * does (`REVNO REVID\n`) — and the tags (`Branch.set_tags_bytes`), each file through a
 * temporary file renamed into place.
 */
import { chmod, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { NULL_REVISION, parseLastRevision } from '../../../../shared/bzr-formats/control-formats';
import type { BValue } from '../../../../shared/protocol';
import type { MessageAnswer, ServerCall } from '../../core/server-call';
import { branchConfValue, branchLock, branchVerb } from './branch-verbs';
import { branchAt, findRepository, noRepositoryAnswer, transportUrl, type Location } from './control-dir';
import { iterLefthand, RevisionNotPresentError } from './lefthand-history';
import type { ParentMap } from './revision-graph';
import { wholeBody } from './fs-errors';
import { atomicTempPath } from './vfs-write-verbs';
import { isAnswer, parseDecimal, type BuiltinContext, type VerbHandler } from './verb-table';

const ok = (...args: (string | number)[]): MessageAnswer => ({ status: 'S', args });
const fail = (...args: string[]): MessageAnswer => ({ status: 'E', args });

/** Python's truth of a flag argument: a v3 int is true unless 0, bytes unless empty. */
const truthy = (v: BValue | undefined): boolean => (v instanceof Uint8Array ? v.length > 0 : typeof v === 'number' || typeof v === 'bigint' ? v != 0 : false);

/**
 * SmartServerLockedBranchRequest: the repository (no token for a pack repository), then the
 * branch lock re-validated by the client's token — LockDir.validate_token — or the refusal.
 */
async function checkLocked(loc: Location, branchToken: string, ctx: BuiltinContext): Promise<MessageAnswer | null> {
  if (!(await findRepository(ctx.root, loc))) return noRepositoryAnswer(loc);
  const held = await branchLock(loc).peek();
  if (held?.nonce !== branchToken) return fail('TokenMismatch', branchToken, held?.nonce ?? '');
  return null;
}

/** Python's config boolean (`append_revisions_only = True`). */
const configTrue = (value: string | null): boolean => value !== null && ['true', 'on', 'yes', '1'].includes(value.toLowerCase());

/**
 * BzrBranch.set_last_revision_info: refuses an empty revision id, honours
 * `append_revisions_only` (the new tip must have the old one in its first-parent line), then
 * writes `last-revision` with the file mode Breezy derives from the control directory's.
 */
async function setTip(loc: Location, revno: number, revid: string, ctx: BuiltinContext): Promise<MessageAnswer | null> {
  const branchDir = `${loc.path}/.bzr/branch`;
  if (revid === '') {
    // The branch's repr names its class: BzrBranch6/7/8 by the format's number.
    const branch = await branchAt(loc);
    const number = branch.kind === 'branch' ? (/Format (\d+)/.exec(branch.format)?.[1] ?? '') : '';
    return fail('error', 'InvalidRevisionId', `Invalid revision-id {b''} in BzrBranch${number}(${transportUrl(loc.rel)})`);
  }
  if (configTrue(await branchConfValue(loc, 'append_revisions_only'))) {
    const old = parseLastRevision(await readFile(`${branchDir}/last-revision`, 'utf8'));
    if (old && old.revid !== NULL_REVISION) {
      const parents = await ctx.graphs.get(`${(await findRepository(ctx.root, loc))?.loc.path}/.bzr/repository`);
      let found = false;
      try {
        for (const id of iterLefthand(parents, revid)) {
          if (id === old.revid) {
            found = true;
            break;
          }
        }
      } catch (err) {
        if (!(err instanceof RevisionNotPresentError)) throw err;
        return fail('error', 'breezy.errors.RevisionNotPresent', `Revision {${err.revid}} not present in "${transportUrl(loc.rel)}".`);
      }
      if (!found) {
        const where = decodeURIComponent(transportUrl(loc.rel));
        return fail('error', 'AppendRevisionsOnlyViolation', `Operation denied because it would change the main history, which is not permitted by the append_revisions_only setting on branch "${where}".`);
      }
    }
  }
  if (!ctx.allowWrites) return fail('ReadOnlyError');
  await putBranchFile(loc, 'last-revision', `${revno} ${revid}\n`);
  return null;
}

/** BzrBranch's put_bytes of a control file: atomic, with the mode Breezy derives from the control directory's. */
async function putBranchFile(loc: Location, name: string, content: string | Uint8Array): Promise<void> {
  const path = `${loc.path}/.bzr/branch/${name}`;
  const tmp = atomicTempPath(path);
  const fileMode = ((await stat(`${loc.path}/.bzr`)).mode & 0o7777 | 0o700) & ~0o7111;
  await writeFile(tmp, content, { flag: 'wx', mode: fileMode });
  await chmod(tmp, fileMode);
  await rename(tmp, path);
}

/** The tags dictionary a client sends: bounded like any request body. */
const MAX_TAGS_BYTES = 16 * 1024 * 1024;

/**
 * Branch.set_tags_bytes: the lock is checked before the body is read (a refusal leaves the
 * body to the core, which drops it); the body, bencoded tags as the client keeps them, is
 * the new `tags` file.
 */
const setTagsBytes = branchVerb('SmartServerBranchSetTagsBytes', ['branch_token', 'repo_token'], async (loc, [branchToken], ctx, call) => {
  const refused = await checkLocked(loc, branchToken, ctx);
  if (refused) return refused;
  const tags = await wholeBody(call, MAX_TAGS_BYTES);
  if (isAnswer(tags)) return tags;
  if (!ctx.allowWrites) return fail('ReadOnlyError');
  await putBranchFile(loc, 'tags', tags);
  return { status: 'S', args: [] };
});

const setLastRevisionInfo = branchVerb(
  'SmartServerBranchRequestSetLastRevisionInfo',
  ['branch_token', 'repo_token', 'new_revno', 'new_last_revision_id'],
  async (loc, [branchToken, , , revid], ctx, call) => {
    const refused = await checkLocked(loc, branchToken, ctx);
    if (refused) return refused;
    const revno = parseDecimal(call.args[3] as Uint8Array);
    if (isAnswer(revno)) return revno;
    return (await setTip(loc, revno, revid, ctx)) ?? ok('ok');
  },
);

/** Every revision reachable from `id` through parents, `id` included. */
function ancestry(parents: ParentMap, id: string): Set<string> {
  const seen = new Set<string>([id]);
  const queue = [id];
  while (queue.length > 0) {
    for (const p of parents.get(queue.pop() as string) ?? []) {
      if (!seen.has(p)) {
        seen.add(p);
        queue.push(p);
      }
    }
  }
  return seen;
}

/** Branch._revision_relations through Graph.heads: `null:` is everyone's ancestor. */
function relation(parents: ParentMap, a: string, b: string): 'a_descends_from_b' | 'b_descends_from_a' | 'diverged' {
  if (a === b || b === NULL_REVISION) return 'a_descends_from_b';
  if (a === NULL_REVISION) return 'b_descends_from_a';
  if (ancestry(parents, a).has(b)) return 'a_descends_from_b';
  if (ancestry(parents, b).has(a)) return 'b_descends_from_a';
  return 'diverged';
}

class GhostHasNoRevno extends Error {}

/** Graph.find_distance_to_null, step for step: `target` walks first parents while the known tip walks down too. */
function distanceToNull(parents: ParentMap, target: string, knownId: string, knownRevno: number): number {
  const firstParent = (id: string): string | undefined => {
    if (id === NULL_REVISION) return undefined;
    const ps = parents.get(id);
    if (ps === undefined) return undefined;
    return ps.length === 0 ? NULL_REVISION : ps[0];
  };
  const known = new Map<string, number>([[knownId, knownRevno], [NULL_REVISION, 0]]);
  let searching = [...known.keys()];
  const unknownSearched = new Map<string, number>();
  let cur = target;
  let steps = 0;
  while (!known.has(cur)) {
    unknownSearched.set(cur, steps);
    steps++;
    const next = firstParent(cur);
    if (next === undefined) throw new GhostHasNoRevno();
    cur = next;
    const nextKnown: string[] = [];
    for (const id of searching) {
      const p = firstParent(id);
      if (p === undefined) continue;
      const revno = (known.get(id) as number) - 1;
      const met = unknownSearched.get(p);
      if (met !== undefined) return revno + met;
      if (known.has(p)) continue;
      known.set(p, revno);
      nextKnown.push(p);
    }
    searching = nextKnown;
  }
  return (known.get(cur) as number) + steps;
}

const setLastRevisionEx: VerbHandler = branchVerb(
  'SmartServerBranchRequestSetLastRevisionEx',
  ['branch_token', 'repo_token', 'new_last_revision_id', 'allow_divergence', 'allow_overwrite_descendant'],
  async (loc, [branchToken, , revid], ctx, call: ServerCall) => {
    const refused = await checkLocked(loc, branchToken, ctx);
    if (refused) return refused;
    const allowDivergence = truthy(call.args[4]);
    const keepDescendant = !truthy(call.args[5]);
    const tip = parseLastRevision(await readFile(`${loc.path}/.bzr/branch/last-revision`, 'utf8'));
    if (tip === null) return fail('error', 'BzrError', 'bad last-revision file');
    const repo = await findRepository(ctx.root, loc);
    const parents = await ctx.graphs.get(`${repo?.loc.path}/.bzr/repository`);
    if (!allowDivergence || keepDescendant) {
      const rel = relation(parents, tip.revid, revid);
      if (rel === 'diverged' && !allowDivergence) return fail('Diverged');
      if (rel === 'a_descends_from_b' && keepDescendant) return ok('ok', tip.revno, tip.revid);
    }
    let revno: number;
    try {
      revno = distanceToNull(parents, revid, tip.revid, tip.revno);
    } catch (err) {
      if (err instanceof GhostHasNoRevno) return fail('NoSuchRevision', revid);
      throw err;
    }
    return (await setTip(loc, revno, revid, ctx)) ?? ok('ok', revno, revid);
  },
);

export const BRANCH_TIP_VERBS: ReadonlyArray<readonly [string, VerbHandler]> = [
  ['Branch.set_last_revision_info', setLastRevisionInfo],
  ['Branch.set_last_revision_ex', setLastRevisionEx],
  ['Branch.set_tags_bytes', setTagsBytes],
];
