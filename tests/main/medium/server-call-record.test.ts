import { expect, test } from 'vitest';
import { encodeResponse } from '../../../src/shared/protocol';
import { BodyTally, callFinishedEvent, callStartedEvent, type CallRecord } from '../../../src/main/medium/server-call-record';
import { RawCapture } from '../../../src/main/medium/wire-capture';

const enc = (s: string) => new TextEncoder().encode(s);

function record(protocol: 1 | 2 | 3, bytes: Uint8Array): CallRecord {
  const requestRaw = new RawCapture();
  requestRaw.add(enc('the request'));
  requestRaw.end(11);
  return {
    callId: 'c1', protocol, verb: 'mkdir', args: [], verbKind: 'vfs', vfs: true, route: { kind: 'local', bytes }, startedAt: 0,
    requestBody: new BodyTally(), requestEnded: true, responseBody: new BodyTally(), status: 'E', responseArgs: ['error', 'no'],
    requestHeaders: { 'Software version': '3.3.2' }, requestRaw,
  };
}

test('a call answered here shows its own answer bytes and, in v3, their headers', () => {
  const v3 = encodeResponse({ protocol: 3, status: 'E', args: [enc('error'), enc('no')], headers: new Map([['Software version', enc('2.0')]]) });
  const e = callFinishedEvent('m1', record(3, v3));
  expect(e).toMatchObject({ type: 'call-finished', headers: { 'Software version': '2.0' }, raw: { base64: Buffer.from(v3).toString('base64'), length: v3.length, truncated: false } });
  const v2 = encodeResponse({ protocol: 2, status: 'E', args: [enc('error'), enc('no')] });
  expect(callFinishedEvent('m1', record(2, v2))).toMatchObject({ headers: null, raw: { base64: Buffer.from(v2).toString('base64') } });
});

test('call-started carries the request headers and bytes', () => {
  expect(callStartedEvent('m1', record(3, new Uint8Array()))).toMatchObject({
    headers: { 'Software version': '3.3.2' },
    raw: { base64: Buffer.from('the request').toString('base64'), length: 11, truncated: false },
  });
});
