/** Every verb the built-in backend answers, by family; the rest are unknown to it. */
import { BRANCH_TIP_VERBS } from './branch-tip-verbs';
import { BUNDLE_VERBS } from './bundle-verb';
import { BRANCH_VERBS } from './branch-verbs';
import { BZRDIR_INITIALIZE_VERBS } from './bzrdir-initialize';
import { BZRDIR_VERBS } from './bzrdir-verbs';
import { REPOSITORY_VERBS } from './repository-verbs';
import type { VerbTable } from './verb-table';
import { VFS_READ_VERBS } from './vfs-read-verbs';
import { VFS_WRITE_VERBS } from './vfs-write-verbs';

export const BUILTIN_VERBS: VerbTable = new Map([...VFS_READ_VERBS, ...BUNDLE_VERBS, ...VFS_WRITE_VERBS, ...BZRDIR_VERBS, ...BZRDIR_INITIALIZE_VERBS, ...BRANCH_VERBS, ...BRANCH_TIP_VERBS, ...REPOSITORY_VERBS]);
