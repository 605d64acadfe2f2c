/**
 * GetBundleRequest (`get_bundle PATH REVISION_ID`): the bzrdir containing the path (walking
 * up, as open_containing does), then its own repository (a branch of a shared repository has
 * none: NoRepositoryPresent), then the v4 bundle of the revision and its ancestry from
 * `null:` (bundle-writer.ts), each revision's inventory serialised out of the 2a CHK maps
 * (chk-inventories.ts). A bundle past the backend's limits is refused with an error answer
 * that names the limit, not built.
 */
import { REPOSITORY_FORMAT_2A } from '../../../../shared/bzr-formats/control-formats';
import { checkPath } from '../../confinement';
import { bundleAnswer } from './bundle-writer';
import { RepositoryInventories } from './chk-inventories';
import { hasRepository, noRepositoryAnswer, notBranchAnswer, openContainingBzrDir, repositoryFormatAt } from './control-dir';
import type { VerbHandler } from './verb-table';

const getBundle: VerbHandler = {
  breezyClass: 'GetBundleRequest',
  params: ['path', 'revision_id'],
  async run(call, ctx) {
    const p = checkPath(ctx.root, call.args[0], call.verb);
    if (!p.ok) return p.answer;
    const asked = { path: p.path, rel: p.relpath };
    const bzrdir = await openContainingBzrDir(ctx.root, asked);
    if (!bzrdir) return notBranchAnswer(asked);
    if (!(await hasRepository(bzrdir))) return noRepositoryAnswer(bzrdir);
    if ((await repositoryFormatAt(bzrdir)) !== REPOSITORY_FORMAT_2A) {
      return { status: 'E', args: ['error', 'hpss: get_bundle of this repository format is not supported by the built-in backend', p.relpath] };
    }
    const repositoryDir = `${bzrdir.path}/.bzr/repository`;
    const target = Buffer.from((call.args[1] as Uint8Array | undefined) ?? []).toString('utf8');
    const inventories = await RepositoryInventories.open(repositoryDir);
    return bundleAnswer(repositoryDir, target, (await ctx.graphs.index(repositoryDir)).parents, async (revid) => {
      const chunks = await inventories.xmlChunks(revid);
      if (!chunks) throw new Error(`bundle: revision ${JSON.stringify(revid)} has no inventory in the repository`);
      return chunks;
    });
  },
};

export const BUNDLE_VERBS: ReadonlyArray<readonly [string, VerbHandler]> = [['get_bundle', getBundle]];
