/**
 * The verb registry of Breezy 3.3.2 (`breezy/bzr/smart/request.py`, `request_handlers`), with
 * what v1/v2 framing needs to know that is not on the wire:
 * - `v2ResponseBody`: what a *successful* response carries — `bulk` (`LEN\n…done\n`) where the
 *   client reads it with `read_body_bytes`, `chunked` where the server answers with a
 *   `body_stream` (client: `read_streamed_body`; remote.py), else `none` (the client calls
 *   `cancel_read_body`). Failed responses never carry a body. v1 has no streamed bodies: a
 *   v1 server drops them, so `chunked` verbs answer without a body in v1.
 * - `v2RequestBody`: the server handler reads a request body (`do_body`/`do_chunk`), sent by
 *   the client as a length-prefixed body in v1/v2 (`call_with_body_bytes`, readv arrays).
 */
import type { VerbKind } from '../events';

/** request.py's safety kind of a verb. */
export type RegistryKind = 'read' | 'idem' | 'mutate' | 'semi' | 'semivfs' | 'stream';
/** How a v1/v2 body is framed, if there is one. */
export type BodyFraming = 'none' | 'bulk' | 'chunked';
export type V2ResponseBody = BodyFraming;

export interface VerbInfo {
  kind: RegistryKind;
  vfs: boolean;
  v2ResponseBody: V2ResponseBody;
  v2RequestBody: boolean;
}

/** The file-level verbs of vfs.py. */
export const VFS_VERBS: ReadonlySet<string> = new Set([
  'append', 'delete', 'get', 'get_bundle', 'has', 'iter_files_recursive', 'list_dir', 'mkdir',
  'move', 'put', 'put_non_atomic', 'readv', 'rename', 'rmdir', 'stat',
]);

// [verb, kind, successful v1/v2 response body, request carries a body]
const TABLE: ReadonlyArray<readonly [string, RegistryKind, V2ResponseBody, boolean]> = [
  ['Branch.break_lock', 'idem', 'none', false],
  ['Branch.get_all_reference_info', 'read', 'bulk', false],
  ['Branch.get_config_file', 'read', 'bulk', false],
  ['Branch.get_parent', 'read', 'none', false],
  ['Branch.get_physical_lock_status', 'read', 'none', false],
  ['Branch.get_stacked_on_url', 'read', 'none', false],
  ['Branch.get_tags_bytes', 'read', 'none', false],
  ['Branch.heads_to_fetch', 'read', 'none', false],
  ['Branch.last_revision_info', 'read', 'none', false],
  ['Branch.lock_write', 'semi', 'none', false],
  ['Branch.put_config_file', 'idem', 'none', true],
  ['Branch.revision_history', 'read', 'bulk', false],
  ['Branch.revision_id_to_revno', 'read', 'none', false],
  ['Branch.set_config_option', 'idem', 'none', false],
  ['Branch.set_config_option_dict', 'idem', 'none', false],
  ['Branch.set_last_revision', 'idem', 'none', false],
  ['Branch.set_last_revision_ex', 'idem', 'none', false],
  ['Branch.set_last_revision_info', 'idem', 'none', false],
  ['Branch.set_parent_location', 'idem', 'none', false],
  ['Branch.set_tags_bytes', 'idem', 'none', true],
  ['Branch.unlock', 'semi', 'none', false],
  ['BzrDir.checkout_metadir', 'read', 'none', false],
  ['BzrDir.cloning_metadir', 'read', 'none', false],
  ['BzrDir.create_branch', 'semi', 'none', false],
  ['BzrDir.create_repository', 'semi', 'none', false],
  ['BzrDir.destroy_branch', 'semi', 'none', false],
  ['BzrDir.destroy_repository', 'semi', 'none', false],
  ['BzrDir.find_repository', 'read', 'none', false],
  ['BzrDir.find_repositoryV2', 'read', 'none', false],
  ['BzrDir.find_repositoryV3', 'read', 'none', false],
  ['BzrDir.get_branches', 'read', 'bulk', false],
  ['BzrDir.get_config_file', 'read', 'bulk', false],
  ['BzrDir.has_workingtree', 'read', 'none', false],
  ['BzrDir.open', 'read', 'none', false],
  ['BzrDir.open_2.1', 'read', 'none', false],
  ['BzrDir.open_branch', 'read', 'none', false],
  ['BzrDir.open_branchV2', 'read', 'none', false],
  ['BzrDir.open_branchV3', 'read', 'none', false],
  ['BzrDirFormat.initialize', 'semi', 'none', false],
  ['BzrDirFormat.initialize_ex_1.16', 'semi', 'none', false],
  ['PackRepository.autopack', 'idem', 'none', false],
  ['Repository.abort_write_group', 'semi', 'none', false],
  ['Repository.add_signature_text', 'idem', 'none', true],
  ['Repository.all_revision_ids', 'read', 'bulk', false],
  ['Repository.annotate_file_revision', 'read', 'bulk', false],
  ['Repository.break_lock', 'idem', 'none', false],
  ['Repository.check_write_group', 'read', 'none', false],
  ['Repository.commit_write_group', 'semi', 'none', false],
  ['Repository.gather_stats', 'read', 'bulk', false],
  ['Repository.get_parent_map', 'read', 'bulk', true],
  ['Repository.get_physical_lock_status', 'read', 'none', false],
  ['Repository.get_rev_id_for_revno', 'read', 'none', false],
  ['Repository.get_revision_graph', 'read', 'bulk', false],
  ['Repository.get_revision_signature_text', 'read', 'bulk', false],
  ['Repository.get_stream', 'read', 'chunked', true],
  ['Repository.get_stream_1.19', 'read', 'chunked', true],
  ['Repository.get_stream_for_missing_keys', 'read', 'chunked', true],
  ['Repository.has_revision', 'read', 'none', false],
  ['Repository.has_signature_for_revision_id', 'read', 'none', false],
  ['Repository.insert_stream', 'stream', 'none', true],
  ['Repository.insert_stream_1.19', 'stream', 'none', true],
  ['Repository.insert_stream_locked', 'stream', 'none', true],
  ['Repository.is_shared', 'read', 'none', false],
  ['Repository.iter_files_bytes', 'read', 'chunked', true],
  ['Repository.iter_revisions', 'read', 'chunked', true],
  ['Repository.lock_write', 'semi', 'none', false],
  ['Repository.make_working_trees', 'read', 'none', false],
  ['Repository.pack', 'idem', 'none', true],
  ['Repository.reconcile', 'idem', 'bulk', false],
  ['Repository.revision_archive', 'read', 'chunked', false],
  ['Repository.set_make_working_trees', 'idem', 'none', false],
  ['Repository.start_write_group', 'semi', 'none', false],
  ['Repository.tarball', 'read', 'bulk', false],
  ['Repository.unlock', 'semi', 'none', false],
  ['Transport.is_readonly', 'read', 'none', false],
  ['VersionedFileRepository.get_inventories', 'read', 'chunked', true],
  ['VersionedFileRepository.get_serializer_format', 'read', 'none', false],
  ['append', 'mutate', 'none', true],
  ['delete', 'semivfs', 'none', false],
  ['get', 'read', 'bulk', false],
  ['get_bundle', 'read', 'bulk', false],
  ['has', 'read', 'none', false],
  ['hello', 'read', 'none', false],
  ['iter_files_recursive', 'read', 'none', false],
  ['list_dir', 'read', 'none', false],
  ['mkdir', 'semivfs', 'none', false],
  ['move', 'semivfs', 'none', false],
  ['put', 'idem', 'none', true],
  ['put_non_atomic', 'idem', 'none', true],
  ['readv', 'read', 'bulk', true],
  ['rename', 'semivfs', 'none', false],
  ['rmdir', 'semivfs', 'none', false],
  ['stat', 'read', 'none', false],
];

const VERBS: ReadonlyMap<string, VerbInfo> = new Map(
  TABLE.map(([verb, kind, v2ResponseBody, v2RequestBody]) => [
    verb,
    { kind, vfs: VFS_VERBS.has(verb), v2ResponseBody, v2RequestBody },
  ]),
);

/** Every verb Breezy 3.3.2 serves, sorted. */
export const ALL_VERBS: readonly string[] = TABLE.map((row) => row[0]);

export function verbInfo(verb: string): VerbInfo | undefined {
  return VERBS.get(verb);
}

export function isVfsVerb(verb: string): boolean {
  return VFS_VERBS.has(verb);
}

/** The kind shown for a request: `vfs` for VFS verbs, the registry kind, or `unknown`. */
export function verbKind(verb: string): VerbKind {
  const info = VERBS.get(verb);
  if (!info) return 'unknown';
  return info.vfs ? 'vfs' : info.kind;
}
