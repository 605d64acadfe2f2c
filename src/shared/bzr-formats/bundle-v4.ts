/**
 * The v4 bundle Breezy writes (breezy/bzr/bundle/serializer/v4.py `BundleWriter`), the body of
 * a `get_bundle` answer:
 *
 *   "# Bazaar revision bundle v4\n" "#\n" bzip2(pack container)
 *
 * Each bundle record is a container record named `encode_name(kind, revision_id, file_id)`
 * (the present parts joined by `/`, a `/` inside a part doubled) whose body is bencoded
 * metadata, followed by a nameless record holding the record's bytes — except the info
 * record (`storage_kind` `header`), which has metadata only. Metadata: `parents` (revision
 * ids), `storage_kind` (`mpdiff` for file texts and inventories, with the `sha1` of the
 * fulltext; `fulltext` for revisions and signatures).
 *
 * Each step of the writer yields the compressed bytes ready so far, having compressed at
 * most one bzip2 block, so a caller can give way to other work between steps.
 */
import { bencode } from '../protocol/bencode';
import type { BValue } from '../protocol/types';
import { BLOCK_INPUT_BYTES, Bzip2Writer } from '../compression/bzip2';
import { bytesRecord, containerBegin, containerEnd } from './pack-container';

export const BUNDLE_V4_HEADER = '# Bazaar revision bundle v4\n#\n';

export type BundleRecordKind = 'revision' | 'file' | 'inventory' | 'signature' | 'info';

const utf8 = new TextEncoder();

/** `BundleWriter.encode_name`: the container name of a bundle record. */
export function encodeBundleName(kind: BundleRecordKind, revisionId: string | null, fileId: string | null = null): Uint8Array {
  if ((kind === 'file') !== (fileId !== null)) throw new Error(`bundle record ${kind}: a file id goes with file records only`);
  if ((kind === 'info') !== (revisionId === null)) throw new Error(`bundle record ${kind}: every record but info names a revision`);
  const parts = [kind, revisionId, fileId].filter((p): p is string => p !== null);
  return utf8.encode(parts.map((p) => p.replaceAll('/', '//')).join('/'));
}

const ids = (revisionIds: readonly string[]): BValue[] => revisionIds.map((id) => utf8.encode(id));

export class BundleV4Writer {
  private readonly bz = new Bzip2Writer();

  /** The bundle's opening: header lines, then the compressed start of the container. */
  *begin(): Generator<Uint8Array> {
    yield utf8.encode(BUNDLE_V4_HEADER);
    yield* this.compress(containerBegin());
  }

  /** `add_info_record`: the repository's serializer and whether it has rich roots. */
  addInfo(serializer: string, supportsRichRoot: boolean): Generator<Uint8Array> {
    const metadata = new Map<string, BValue>([
      ['serializer', utf8.encode(serializer)],
      ['supports_rich_root', supportsRichRoot ? 1 : 0],
      ['storage_kind', utf8.encode('header')],
    ]);
    return this.record('info', null, null, metadata, null);
  }

  /** `add_multiparent_record`: a file text (with its file id) or an inventory as an mpdiff. */
  addMultiParent(kind: 'file' | 'inventory', revisionId: string, fileId: string | null, mpdiff: Uint8Array, sha1: string, parents: readonly string[]): Generator<Uint8Array> {
    const metadata = new Map<string, BValue>([
      ['parents', ids(parents)],
      ['storage_kind', utf8.encode('mpdiff')],
      ['sha1', utf8.encode(sha1)],
    ]);
    return this.record(kind, revisionId, fileId, metadata, mpdiff);
  }

  /** `add_fulltext_record`: a revision or signature text as stored. */
  addFulltext(kind: 'revision' | 'signature', revisionId: string, text: Uint8Array, parents: readonly string[]): Generator<Uint8Array> {
    const metadata = new Map<string, BValue>([
      ['parents', ids(parents)],
      ['storage_kind', utf8.encode('fulltext')],
    ]);
    return this.record(kind, revisionId, null, metadata, text);
  }

  /** The end of the container and of the bzip2 stream. */
  *end(): Generator<Uint8Array> {
    yield* this.compress(containerEnd());
    yield this.bz.end();
  }

  private *record(kind: BundleRecordKind, revisionId: string | null, fileId: string | null, metadata: Map<string, BValue>, body: Uint8Array | null): Generator<Uint8Array> {
    yield* this.compress(bytesRecord(bencode(metadata), [[encodeBundleName(kind, revisionId, fileId)]]));
    if (body) yield* this.compress(bytesRecord(body, []));
  }

  /** The bytes through bzip2, at most a block's worth of input per step. */
  private *compress(bytes: Uint8Array): Generator<Uint8Array> {
    for (let at = 0; at < bytes.length; at += BLOCK_INPUT_BYTES) yield this.bz.write(bytes.subarray(at, at + BLOCK_INPUT_BYTES));
  }
}
