/**
 * Fulltexts read out of a 2a repository's packs — revisions, inventories, file texts, CHK
 * pages, signatures alike: the versioned file's index (pack-index.ts) says which pack record
 * and which range of its inflated group-compress block (src/shared/bzr-formats/groupcompress.ts).
 * A few inflated blocks are kept for the reader's lifetime (one call): texts asked one after
 * another mostly share a block.
 */
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import { blockContent, extractText, packRecordBody, parseTextMemo, type TextMemo } from '../../../../shared/bzr-formats/groupcompress';
import type { TextLocation } from './pack-index';

const CACHED_BLOCKS = 8;
/** zlib in the thread pool: a large text's block inflates without holding the event loop. */
const inflateOffThread = promisify(inflate);

export class PackTexts {
  private readonly blocks = new Map<string, Uint8Array>();

  constructor(
    private readonly repositoryDir: string,
    private readonly locations: ReadonlyMap<string, TextLocation>,
  ) {}

  /** The text stored under `key` (elements joined by \0, see pack-index.ts), or null when the repository does not have it. */
  async text(key: string): Promise<Uint8Array | null> {
    const where = this.locations.get(key);
    if (!where) return null;
    const memo = parseTextMemo(where.value);
    return extractText(await this.block(where.pack, memo), memo.from, memo.to);
  }

  private async block(pack: string, memo: TextMemo): Promise<Uint8Array> {
    const key = `${pack}:${memo.start}`;
    const hit = this.blocks.get(key);
    if (hit) return hit;
    const record = Buffer.alloc(memo.length);
    const file = await open(`${this.repositoryDir}/packs/${pack}.pack`, 'r');
    try {
      const { bytesRead } = await file.read(record, 0, memo.length, memo.start);
      if (bytesRead !== memo.length) throw new Error(`pack ${pack} is shorter than its index says`);
    } finally {
      await file.close();
    }
    const content = await blockContent(packRecordBody(record), (z, stated) => inflateOffThread(z, { maxOutputLength: Math.max(stated, 1) }));
    this.blocks.set(key, content);
    if (this.blocks.size > CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as string);
    return content;
  }
}
