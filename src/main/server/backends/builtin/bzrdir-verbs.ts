/**
 * The BzrDir verbs real brz operations need (breezy/bzr/smart/bzrdir.py), plus the newer
 * variants a current client asks for first: opening a bzrdir and its branch, finding its
 * repository, and `BzrDirFormat.initialize` laying out a bare meta directory as Breezy does
 * (the client then creates the repository and branch over the VFS).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import {
  BZRDIR_META_FORMAT_1, BZRDIR_README, DEFAULT_BRANCH_FORMAT, REPOSITORY_CAPABILITIES, REPOSITORY_FORMAT_2A, STACKABLE_BRANCH_FORMATS,
} from '../../../../shared/bzr-formats/control-formats';
import { bencode } from '../../../../shared/protocol/bencode';
import type { BValue } from '../../../../shared/protocol';
import { checkPath } from '../../confinement';
import { unknownMethodAnswer, type MessageAnswer, type ServerCall } from '../../core/server-call';
import {
  branchAt, findRepository, hasWorkingTree, isBzrDir, repositoryFormatAt, transportUrl, type Location,
} from './control-dir';
import { errnoCode, fsErrorAnswer } from './fs-errors';
import type { BuiltinContext, VerbHandler } from './verb-table';

const ok = (...args: string[]): MessageAnswer => ({ status: 'S', args });
const fail = (...args: string[]): MessageAnswer => ({ status: 'E', args });

/** The confined location of arg 0, or the refusal. */
export function locationOf(call: ServerCall, ctx: BuiltinContext): Location | MessageAnswer {
  const p = checkPath(ctx.root, call.args[0], call.verb);
  return p.ok ? { path: p.path, rel: p.relpath } : p.answer;
}

const isLocation = (v: Location | MessageAnswer): v is Location => 'rel' in v;

/** A verb over the bzrdir at arg 0 (SmartServerRequestBzrDir: no bzrdir is `nobranch`). */
function bzrDirVerb(breezyClass: string, run: (loc: Location, ctx: BuiltinContext, call: ServerCall) => Promise<MessageAnswer>, params: readonly string[] = []): VerbHandler {
  return {
    breezyClass,
    params: ['path', ...params],
    async run(call, ctx) {
      const loc = locationOf(call, ctx);
      if (!isLocation(loc)) return loc;
      if (!(await isBzrDir(loc))) return fail('nobranch');
      return run(loc, ctx, call);
    },
  };
}

const open: VerbHandler = {
  breezyClass: 'SmartServerRequestOpenBzrDir',
  params: ['path'],
  async run(call, ctx) {
    const loc = locationOf(call, ctx);
    if (!isLocation(loc)) return loc;
    return ok((await isBzrDir(loc)) ? 'yes' : 'no');
  },
};

const open21: VerbHandler = {
  breezyClass: 'SmartServerRequestOpenBzrDir_2_1',
  params: ['path'],
  async run(call, ctx) {
    const loc = locationOf(call, ctx);
    if (!isLocation(loc)) return loc;
    if (!(await isBzrDir(loc))) return ok('no');
    return ok('yes', (await hasWorkingTree(loc)) ? 'yes' : 'no');
  },
};

const openBranch = bzrDirVerb('SmartServerRequestOpenBranch', async (loc) => {
  const branch = await branchAt(loc);
  if (branch.kind === 'none') return fail('nobranch');
  return ok('ok', branch.kind === 'reference' ? branch.location : '');
});

/** open_branchV2 and V3: the branch's format (its network name) or the reference. */
function openBranchV(breezyClass: string, withDetail: boolean): VerbHandler {
  return bzrDirVerb(breezyClass, async (loc) => {
    const branch = await branchAt(loc);
    if (branch.kind === 'reference') return ok('ref', branch.location);
    if (branch.kind === 'branch') return ok('branch', branch.format);
    if (withDetail && (await repositoryFormatAt(loc)) !== null) return fail('nobranch', 'location is a repository');
    return fail('nobranch');
  });
}

/** find_repository, V2 and V3: each adds a field to the answer. */
function findRepositoryVerb(breezyClass: string, fields: 4 | 5 | 6): VerbHandler {
  return {
    breezyClass,
    params: ['path'],
    async run(call, ctx) {
      const loc = locationOf(call, ctx);
      if (!isLocation(loc)) return loc;
      // SmartServerRequestFindRepository opens the bzrdir itself: no bzrdir is NotBranchError.
      if (!(await isBzrDir(loc))) return fail('error', 'NotBranchError', `Not a branch: "${transportUrl(loc.rel)}".`);
      const repo = await findRepository(ctx.root, loc);
      if (repo === null) return fail('norepository');
      const [richRoot, treeRef, externalLookup] = REPOSITORY_CAPABILITIES.get(repo.format) as readonly string[];
      return ok(...['ok', repo.relpath, richRoot, treeRef, externalLookup, repo.format].slice(0, fields));
    },
  };
}

/**
 * BzrDirFormat._initialize_on_transport_vfs: a bare meta directory (README, branch-format,
 * branch-lock) in an existing directory; null when made, else Breezy's refusal.
 */
export async function createBzrDir(loc: Location): Promise<MessageAnswer | null> {
  const control = `${loc.path}/.bzr`;
  try {
    await mkdir(control);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return fail('AlreadyControlDir', transportUrl(loc.rel));
    return fsErrorAnswer(err, loc.path);
  }
  await writeFile(`${control}/README`, BZRDIR_README);
  await writeFile(`${control}/branch-format`, BZRDIR_META_FORMAT_1);
  await mkdir(`${control}/branch-lock`);
  return null;
}

/** BzrDirFormat.initialize: the default format's bare control directory, in an existing directory. */
const initialize: VerbHandler = {
  breezyClass: 'SmartServerRequestInitializeBzrDir',
  params: ['path'],
  async run(call, ctx) {
    const loc = locationOf(call, ctx);
    if (!isLocation(loc)) return loc;
    if (!ctx.allowWrites) return fail('ReadOnlyError');
    return (await createBzrDir(loc)) ?? ok('ok');
  },
};

/**
 * BzrDir.get_branches: the bzrdir's branches by name, as open_branchV3 would describe each,
 * in a bencoded dict. Only the default branch is answered here; colocated branches
 * (`branch-list`) and references by relative location are left to the client's VFS
 * fallback (UnknownMethod), which reads them through Breezy itself.
 */
const getBranches = bzrDirVerb('SmartServerBzrDirRequestGetBranches', async (loc, _ctx, call) => {
  const branch = await branchAt(loc);
  const colocated = await readFile(`${loc.path}/.bzr/branch-list`).then(() => true, () => false);
  const relativeReference = branch.kind === 'reference' && !/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(branch.location);
  if (colocated || relativeReference) return unknownMethodAnswer(call);
  const branches = new Map<string, BValue>();
  // A reference by absolute URL is another scheme than the server's: relative_url leaves it as it is.
  if (branch.kind === 'reference') branches.set('', [Buffer.from('ref'), Buffer.from(branch.location, 'utf8')]);
  if (branch.kind === 'branch') branches.set('', [Buffer.from('branch'), Buffer.from(branch.format, 'utf8')]);
  return { status: 'S', args: ['success'], body: bencode(branches) };
});

/**
 * The formats BzrDir.cloning_metadir gives (bzrdir.py _cloning_metadir): the bzrdir's own
 * meta format, its repository's format (the default, 2a, when none is found), its branch's
 * format (the default, Branch format 7, when it has none); a reference is for the client to
 * resolve. null when stacking is asked of a branch format that would have to change for it
 * (format 6): that upgrade is Breezy's to choose, over the VFS.
 */
async function metadirFormats(loc: Location, ctx: BuiltinContext, requireStacking: boolean): Promise<MessageAnswer | { repository: string; branch: string } | null> {
  const branch = await branchAt(loc);
  if (branch.kind === 'reference') return fail('BranchReference');
  const repository = branch.kind === 'branch' ? await findRepository(ctx.root, loc) : null;
  const ownFormat = branch.kind === 'none' ? await repositoryFormatAt(loc) : null;
  const branchFormat = branch.kind === 'branch' && repository !== null ? branch.format : DEFAULT_BRANCH_FORMAT;
  if (requireStacking && !STACKABLE_BRANCH_FORMATS.has(branchFormat)) return null;
  return { repository: repository?.format ?? ownFormat ?? REPOSITORY_FORMAT_2A, branch: branchFormat };
}

const cloningMetadir = bzrDirVerb(
  'SmartServerBzrDirRequestCloningMetaDir',
  async (loc, ctx, call) => {
    const formats = await metadirFormats(loc, ctx, Buffer.from((call.args[1] as Uint8Array | undefined) ?? []).toString('latin1') === 'True');
    if (formats === null) return unknownMethodAnswer(call);
    if ('status' in formats) return formats;
    return { status: 'S', args: [BZRDIR_META_FORMAT_1, formats.repository, [Buffer.from('branch'), Buffer.from(formats.branch)]] };
  },
  ['require_stacking'],
);

const checkoutMetadir = bzrDirVerb('SmartServerBzrDirRequestCheckoutMetaDir', async (loc, ctx) => {
  const formats = await metadirFormats(loc, ctx, false);
  if (formats === null || 'status' in formats) return formats ?? fail('BranchReference');
  return ok(BZRDIR_META_FORMAT_1, formats.repository, formats.branch);
});

/** BzrDir.has_workingtree: whether the bzrdir has a working tree (`checkout/format`). */
const hasWorkingTreeVerb: VerbHandler = {
  ...bzrDirVerb('SmartServerBzrDirRequestHasWorkingTree', async (loc) => ok((await hasWorkingTree(loc)) ? 'yes' : 'no')),
  optional: ['name'],
};

/** The bzrdir's `control.conf`, empty when there is none; Breezy answers with an empty tuple. */
const getConfigFile = bzrDirVerb('SmartServerBzrDirRequestConfigFile', async (loc) => {
  const content = await readFile(`${loc.path}/.bzr/control.conf`).catch(() => Buffer.alloc(0));
  return { status: 'S', args: [], body: content };
});

export const BZRDIR_VERBS: ReadonlyArray<readonly [string, VerbHandler]> = [
  ['BzrDir.open', open],
  ['BzrDir.open_2.1', open21],
  ['BzrDir.open_branch', openBranch],
  ['BzrDir.open_branchV2', openBranchV('SmartServerRequestOpenBranchV2', false)],
  ['BzrDir.open_branchV3', openBranchV('SmartServerRequestOpenBranchV3', true)],
  ['BzrDir.find_repository', findRepositoryVerb('SmartServerRequestFindRepositoryV1', 4)],
  ['BzrDir.find_repositoryV2', findRepositoryVerb('SmartServerRequestFindRepositoryV2', 5)],
  ['BzrDir.find_repositoryV3', findRepositoryVerb('SmartServerRequestFindRepositoryV3', 6)],
  ['BzrDirFormat.initialize', initialize],
  ['BzrDir.get_config_file', getConfigFile],
  ['BzrDir.get_branches', getBranches],
  ['BzrDir.cloning_metadir', cloningMetadir],
  ['BzrDir.checkout_metadir', checkoutMetadir],
  ['BzrDir.has_workingtree', hasWorkingTreeVerb],
];
