import { expect, test } from 'vitest';
import { AnswerEncoder } from '../../../src/main/medium/server-answer-encoder';
import { encodeResponse as encodeBytes, utf8Bytes, type ResponseToEncode } from '../../../src/shared/protocol';

const b = utf8Bytes;
const encodeResponse = (res: ResponseToEncode) => Buffer.from(encodeBytes(res));
const versionHeader = (v: string) => new Map([['Software version', b(v)]]);

test('answers are the bytes of the protocol encoder; a repeated answer reuses its bytes', () => {
  const enc = new AnswerEncoder();
  const hello = enc.encode({ protocol: 3, status: 'S', args: ['ok', '2'] }, '3.3.2');
  expect(hello).toEqual(encodeResponse({ protocol: 3, status: 'S', args: [b('ok'), b('2')], headers: versionHeader('3.3.2') }));
  expect(enc.encode({ protocol: 3, status: 'S', args: ['ok', '2'] }, '3.3.2')).toBe(hello);
});

test('a change of version header, protocol, status or args encodes anew', () => {
  const enc = new AnswerEncoder();
  const args = ['ok', '2'];
  enc.encode({ protocol: 3, status: 'S', args }, '3.3.2');
  expect(enc.encode({ protocol: 3, status: 'S', args }, null)).toEqual(encodeResponse({ protocol: 3, status: 'S', args: [b('ok'), b('2')] }));
  expect(enc.encode({ protocol: 2, status: 'S', args }, null)).toEqual(encodeResponse({ protocol: 2, status: 'S', args: [b('ok'), b('2')] }));
  expect(enc.encode({ protocol: 2, status: 'E', args }, null)).toEqual(encodeResponse({ protocol: 2, status: 'E', args: [b('ok'), b('2')] }));
  // The caller's list changing later does not change what was kept.
  args[1] = '3';
  expect(enc.encode({ protocol: 2, status: 'E', args }, null)).toEqual(encodeResponse({ protocol: 2, status: 'E', args: [b('ok'), b('3')] }));
});
