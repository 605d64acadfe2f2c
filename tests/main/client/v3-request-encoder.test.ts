import { expect, test } from 'vitest';
import { V3RequestEncoder } from '../../../src/main/client/v3-request-encoder';
import { encodeRequest, utf8Bytes } from '../../../src/shared/protocol';

const b = utf8Bytes;

test('requests are the bytes of the protocol encoder, with and without a body', () => {
  const enc = new V3RequestEncoder();
  expect(enc.request('hello', [])).toEqual(Buffer.from(encodeRequest({ protocol: 3, args: [b('hello')] })));
  const body = b('0,10\n20,5');
  expect(enc.request('readv', [b('f')], body)).toEqual(Buffer.from(encodeRequest({ protocol: 3, args: [b('readv'), b('f')], body })));
});

test('a repeated request reuses its bytes; any change in verb or args encodes anew', () => {
  const enc = new V3RequestEncoder();
  const arg = b('trunk/');
  const first = enc.request('BzrDir.open_2.1', [arg]);
  expect(enc.request('BzrDir.open_2.1', [b('trunk/')])).toBe(first);
  // The caller's bytes changing later does not change what was kept.
  arg[0] = 0x54;
  const changed = enc.request('BzrDir.open_2.1', [arg]);
  expect(changed).not.toBe(first);
  expect(changed).toEqual(Buffer.from(encodeRequest({ protocol: 3, args: [b('BzrDir.open_2.1'), b('Trunk/')] })));
  expect(enc.request('BzrDir.open', [b('Trunk/')])).toEqual(Buffer.from(encodeRequest({ protocol: 3, args: [b('BzrDir.open'), b('Trunk/')] })));
  expect(enc.request('get', [b('a'), 1])).toEqual(Buffer.from(encodeRequest({ protocol: 3, args: [b('get'), b('a'), 1] })));
});

test('a streamed request is its head, its body parts and the end', () => {
  const enc = new V3RequestEncoder();
  const streamed = Buffer.concat([enc.head('put', [b('x')]), enc.bodyPart(b('abc')), enc.end()]);
  expect(streamed).toEqual(Buffer.from(encodeRequest({ protocol: 3, args: [b('put'), b('x')], body: b('abc') })));
});
