/**
 * A 2a repository's versioned-file indexes: `pack-names` (a B+Tree index of the live packs)
 * and, per pack, one index per versioned file — `indices/NAME.rix` revisions, `.iix`
 * inventories, `.tix` file texts, `.cix` CHK pages, `.six` signatures. Each entry's value
 * says where its text is in its pack (groupcompress.ts); its first reference list, where the
 * index has one, names its parents. What the write group in progress has in `upload/` is
 * not part of it yet, as in Breezy.
 */
import { readFile } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';
import { inflateSync } from 'node:zlib';
import { readBTreeIndex, readBTreeIndexSteps, type IndexKey } from '../../../../shared/bzr-formats/btree-index';
import { runInTurns } from '../../../../shared/steps';

export type VersionedFileIndex = 'rix' | 'iix' | 'tix' | 'cix' | 'six';

/** Where a text is: its pack's name and the index value (see groupcompress.ts). */
export interface TextLocation {
  pack: string;
  value: Uint8Array;
}

export interface IndexedText extends TextLocation {
  key: IndexKey;
  /** The first reference list (parents), empty where the index has none (`.cix`). */
  parents: IndexKey[];
}

/** One string per key, for maps: its elements joined by \0, which no element holds. */
export function keyString(key: IndexKey): string {
  return key.join('\0');
}

/** zlib's inflate of one index page; the zero padding after the stream is not data. */
function inflatePage(page: Uint8Array): Uint8Array {
  return inflateSync(page, { finishFlush: 2 /* Z_SYNC_FLUSH: stop quietly at the end */ });
}

export async function packNames(repositoryDir: string): Promise<string[]> {
  return readBTreeIndex(await readFile(`${repositoryDir}/pack-names`), inflatePage).entries.map((e) => e.key[0]);
}

/**
 * Every entry of one versioned file over the live packs, by keyString. Read in turns: a
 * large repository's `.tix` holds hundreds of thousands of keys, and other connections go on
 * being served while it is read.
 */
export async function readVersionedFileIndex(repositoryDir: string, kind: VersionedFileIndex): Promise<Map<string, IndexedText>> {
  const texts = new Map<string, IndexedText>();
  for (const pack of await packNames(repositoryDir)) {
    const index = await readFile(`${repositoryDir}/indices/${pack}.${kind}`);
    const { entries } = await runInTurns(readBTreeIndexSteps(index, inflatePage), () => setImmediate());
    for (const entry of entries) texts.set(keyString(entry.key), { pack, value: entry.value, key: entry.key, parents: entry.refs[0] ?? [] });
  }
  return texts;
}
