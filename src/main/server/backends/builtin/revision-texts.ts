/**
 * Revision texts (fulltexts) read out of a 2a repository's packs: the revision index says
 * which pack record and which range of its inflated group-compress block
 * (src/shared/bzr-formats/groupcompress.ts). A few inflated blocks are kept for the reader's
 * lifetime (one call): revisions asked one after another mostly share a block.
 */
import { open } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { blockContent, extractText, packRecordBody, parseTextMemo, type TextMemo } from '../../../../shared/bzr-formats/groupcompress';
import type { RevisionIndex } from './revision-graph';

const CACHED_BLOCKS = 8;

export class RevisionTexts {
  private readonly blocks = new Map<string, Uint8Array>();

  constructor(
    private readonly repositoryDir: string,
    private readonly index: RevisionIndex,
  ) {}

  /** The revision's text, or null when the repository does not have it. */
  async text(revid: string): Promise<Uint8Array | null> {
    const where = this.index.texts.get(revid);
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
    const content = blockContent(packRecordBody(record), (z, stated) => inflateSync(z, { maxOutputLength: Math.max(stated, 1) }));
    this.blocks.set(key, content);
    if (this.blocks.size > CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as string);
    return content;
  }
}
