/**
 * Reading texts out of a pack record: vectors built here by hand from the layout in
 * breezy/bzr/groupcompress.py (not by our reader's logic), a fulltext and a delta copying
 * from it, and the refusals for damaged records.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { BadPackRecordError, blockContent, extractText, packRecordBody, parseTextMemo } from '../../../src/shared/bzr-formats/groupcompress';
import { parseRevisionStamp } from '../../../src/shared/bzr-formats/revision-text';

const b = (s: string) => Buffer.from(s, 'latin1');
const inflate = (z: Uint8Array, stated: number) => inflateSync(z, { maxOutputLength: Math.max(stated, 1) });

// Content: a fulltext "hello world\n" (12 bytes: f, 0x0c), then a delta making "hello there\n":
// target length 12, copy offset 2 length 6 ("hello "), insert 6 bytes "there\n".
const FULL = Buffer.concat([b('f'), Buffer.from([12]), b('hello world\n')]);
const DELTA_BODY = Buffer.concat([Buffer.from([12, 0x80 | 0x01 | 0x10, 2, 6, 6]), b('there\n')]);
const DELTA = Buffer.concat([b('d'), Buffer.from([DELTA_BODY.length]), DELTA_BODY]);
const CONTENT = Buffer.concat([FULL, DELTA]);

function block(content: Buffer): Buffer {
  const z = deflateSync(content);
  return Buffer.concat([b(`gcb1z\n${z.length}\n${content.length}\n`), z]);
}

const record = (body: Buffer, names = '') => Buffer.concat([b(`B${body.length}\n${names}\n`), body]);

describe('group-compress pack records', () => {
  test('a fulltext and a delta against it', async () => {
    const content = await blockContent(packRecordBody(record(block(CONTENT))), inflate);
    expect(Buffer.from(extractText(content, 0, FULL.length)).toString()).toBe('hello world\n');
    expect(Buffer.from(extractText(content, FULL.length, CONTENT.length)).toString()).toBe('hello there\n');
    expect(extractText(content, 0, 0).length).toBe(0);
  });

  test('record names are skipped; memos parse', () => {
    expect(Buffer.from(packRecordBody(record(b('xyz'), 'a\0b\nc\n'))).toString()).toBe('xyz');
    expect(parseTextMemo(b('10 200 0 14'))).toEqual({ start: 10, length: 200, from: 0, to: 14 });
  });

  test('damage is refused with a named error', async () => {
    const bad = (f: () => unknown) => expect(f).toThrow(BadPackRecordError);
    const refused = (p: Promise<unknown>) => expect(p).rejects.toThrow(BadPackRecordError);
    bad(() => parseTextMemo(b('1 2 3')));
    bad(() => packRecordBody(b('X3\n\nabc')));
    bad(() => packRecordBody(b('B4\n\nabc')));
    await refused(blockContent(b('gcb1l\n1\n1\nx'), inflate));
    const lying = Buffer.from(block(CONTENT));
    lying.write(`${CONTENT.length - 1}`, lying.indexOf('\n', 6) + 1, 'latin1');
    await refused(blockContent(lying, (z, n) => inflateSync(z).subarray(0, n + 1)));
    const content = await blockContent(packRecordBody(record(block(CONTENT))), inflate);
    bad(() => extractText(content, 0, FULL.length - 1));
    bad(() => extractText(content, 1, FULL.length));
    // A copy reaching past the content.
    const far = Buffer.concat([FULL, b('d'), Buffer.from([5, 4, 0x80 | 0x01 | 0x10, 100, 4])]);
    bad(() => extractText(far, FULL.length, far.length));
  });

  test("a 2a revision text's committer, timestamp and timezone", () => {
    const text = b('ll6:formati10eel9:committer10:Bo \xc3\x9cnal xel8:timezonei-28800eel10:propertiesdeel9:timestamp14:1614621607.125el11:revision-id1:ree');
    expect(parseRevisionStamp(text)).toEqual({ committer: 'Bo Ünal x', timestamp: 1614621607.125, timezone: -28800 });
  });
});
