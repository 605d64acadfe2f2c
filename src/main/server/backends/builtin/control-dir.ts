/**
 * A Breezy control directory on disk as the smart verbs see it (breezy/bzr/bzrdir.py,
 * branch.py, repository.py): opening the bzrdir at a path, its branch (or branch reference),
 * its repository, and `find_repository` walking up to a shared repository. Paths here are
 * already confined (checkPath); `rel` is the served-root-relative path, for error texts.
 */
import { readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import {
  BRANCH_REFERENCE_FORMAT, BZRDIR_META_FORMAT_1, LAST_REVISION_BRANCH_FORMATS, REPOSITORY_CAPABILITIES,
} from '../../../../shared/bzr-formats/control-formats';
import type { MessageAnswer } from '../../core/server-call';
import { errnoCode } from './fs-errors';
import { urlEscape } from './verb-table';

/** A location under the served root: its local path and its root-relative path. */
export interface Location {
  path: string;
  rel: string;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ENAMETOOLONG') return null;
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * How Breezy names a location in its errors: the chroot transport's URL. The number is an
 * object id in Breezy (different every run); ours is fixed.
 */
export function transportUrl(rel: string, suffix = ''): string {
  return `filtered-0:///${rel === '' ? '' : `${urlEscape(rel)}/`}${suffix}`;
}

/** NotBranchError; `detail` as Breezy adds it (`location is a repository`). */
export const notBranchAnswer = (loc: Location, suffix = '', detail = ''): MessageAnswer => ({
  status: 'E',
  args: ['error', 'NotBranchError', `Not a branch: "${transportUrl(loc.rel, suffix)}"${detail ? `: ${detail}` : ''}.`],
});

export const noRepositoryAnswer = (loc: Location): MessageAnswer => ({
  status: 'E',
  args: ['error', 'NoRepositoryPresent', `No repository present: "${transportUrl(loc.rel)}"`],
});

/** BzrProber: is there a bzrdir of a format we serve at `loc`? */
export async function isBzrDir(loc: Location): Promise<boolean> {
  return (await readText(`${loc.path}/.bzr/branch-format`)) === BZRDIR_META_FORMAT_1;
}

export async function hasWorkingTree(loc: Location): Promise<boolean> {
  return exists(`${loc.path}/.bzr/checkout/format`);
}

export type BranchAt = { kind: 'none' } | { kind: 'reference'; location: string } | { kind: 'branch'; format: string };

export async function branchAt(loc: Location): Promise<BranchAt> {
  const format = await readText(`${loc.path}/.bzr/branch/format`);
  if (format === null) return { kind: 'none' };
  if (format === BRANCH_REFERENCE_FORMAT) {
    const location = (await readText(`${loc.path}/.bzr/branch/location`)) ?? '';
    return { kind: 'reference', location };
  }
  return LAST_REVISION_BRANCH_FORMATS.has(format) ? { kind: 'branch', format } : { kind: 'none' };
}

/** The repository format string at `loc`, or null when there is none we know. */
export async function repositoryFormatAt(loc: Location): Promise<string | null> {
  const format = await readText(`${loc.path}/.bzr/repository/format`);
  return format !== null && REPOSITORY_CAPABILITIES.has(format) ? format : null;
}

export async function isShared(loc: Location): Promise<boolean> {
  return exists(`${loc.path}/.bzr/repository/shared-storage`);
}

export interface FoundRepository {
  loc: Location;
  format: string;
  /** From the bzrdir to the repository: '' or '..' segments (SmartServerRequestBzrDir._repo_relpath). */
  relpath: string;
}

/**
 * BzrDir.find_repository: the bzrdir's own repository, else the nearest containing bzrdir's
 * if that one is shared (an unshared one ends the search), never above the served root.
 */
export async function findRepository(root: string, start: Location): Promise<FoundRepository | null> {
  let loc = start;
  for (;;) {
    const format = await repositoryFormatAt(loc);
    if (format !== null) {
      if (loc.rel === start.rel || (await isShared(loc))) return { loc, format, relpath: upwards(loc.rel, start.rel) };
      return null;
    }
    const parent = await containingBzrDir(root, loc);
    if (parent === null) return null;
    loc = parent;
  }
}

/** BzrDir.open_containing_from_transport: the bzrdir at `loc` or the nearest above it, never above the served root. */
export async function openContainingBzrDir(root: string, loc: Location): Promise<Location | null> {
  return (await isBzrDir(loc)) ? loc : containingBzrDir(root, loc);
}

/** Whether the bzrdir at `loc` has a repository (open_repository finds its format file). */
export async function hasRepository(loc: Location): Promise<boolean> {
  return exists(`${loc.path}/.bzr/repository/format`);
}

/** The nearest bzrdir strictly above `loc` (open_containing_from_transport of its parent). */
async function containingBzrDir(root: string, loc: Location): Promise<Location | null> {
  let rel = loc.rel;
  while (rel !== '') {
    rel = rel.includes('/') ? posix.dirname(rel) : '';
    const candidate = { rel, path: rel === '' ? root : `${root}/${rel}` };
    if (await isBzrDir(candidate)) return candidate;
  }
  return null;
}

function upwards(repoRel: string, dirRel: string): string {
  if (repoRel === dirRel) return '';
  const below = repoRel === '' ? dirRel : dirRel.slice(repoRel.length + 1);
  return below.split('/').map(() => '..').join('/');
}
