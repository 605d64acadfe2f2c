/**
 * The on-disk formats of a Breezy control directory (`.bzr/`) the built-in backend reads and
 * writes, and how each is named on the wire (a format's network name is its format string).
 * Sources: breezy/bzr/bzrdir.py (BzrDirMetaFormat1), branch.py (BzrBranchFormat6/7/8,
 * BranchReferenceFormat), groupcompress_repo.py (RepositoryFormat2a), workingtree_4.py.
 */

/** `.bzr/branch-format` of a meta directory: the bzrdir's format and network name. */
export const BZRDIR_META_FORMAT_1 = 'Bazaar-NG meta directory, format 1\n';

/** `.bzr/README` as `initialize_on_transport` writes it. */
export const BZRDIR_README =
  'This is a Bazaar control directory.\nDo not change any files in this directory.\nSee http://bazaar.canonical.com/ for more information about Bazaar.\n';

/** Branch format 8 (it also keeps tree references in `.bzr/branch/references`). */
export const BRANCH_FORMAT_8 = 'Bazaar Branch Format 8 (needs bzr 1.15)\n';

/** `.bzr/branch/format` strings whose tip is `.bzr/branch/last-revision` ("REVNO REVID\n"). */
export const LAST_REVISION_BRANCH_FORMATS: ReadonlySet<string> = new Set([
  'Bazaar Branch Format 6 (bzr 0.15)\n',
  'Bazaar Branch Format 7 (needs bzr 1.6)\n',
  BRANCH_FORMAT_8,
]);

/** The branch format a new branch gets (Breezy's default, for 2a). */
export const DEFAULT_BRANCH_FORMAT = 'Bazaar Branch Format 7 (needs bzr 1.6)\n';

/** Branch formats that can stack on another branch (format 6 cannot). */
export const STACKABLE_BRANCH_FORMATS: ReadonlySet<string> = new Set([DEFAULT_BRANCH_FORMAT, BRANCH_FORMAT_8]);

/** A branch that only points elsewhere (`.bzr/branch/location`). */
export const BRANCH_REFERENCE_FORMAT = 'Bazaar-NG Branch Reference Format 1\n';

/** The repository format the backend reads the revision graph of. */
export const REPOSITORY_FORMAT_2A = 'Bazaar repository format 2a (needs bzr 1.16 or later)\n';

/** What `_format_to_capabilities` says of a repository format: rich root, tree references, external lookups. */
export const REPOSITORY_CAPABILITIES: ReadonlyMap<string, readonly ['yes' | 'no', 'yes' | 'no', 'yes' | 'no']> = new Map([
  [REPOSITORY_FORMAT_2A, ['yes', 'yes', 'yes'] as const],
]);

/** The revision id of "no revision". */
export const NULL_REVISION = 'null:';

/** `.bzr/branch/last-revision`: "REVNO REVID\n". */
export function parseLastRevision(text: string): { revno: number; revid: string } | null {
  const m = /^(-?\d+) (\S+)\n?$/.exec(text);
  return m ? { revno: Number(m[1]), revid: m[2] } : null;
}
