import { expect, test } from 'vitest';
import { encodeRequest, RequestStreamDecoder } from '../../../src/shared/protocol';
import { HeadersJson, RawCapture, RawStreamTap } from '../../../src/main/medium/wire-capture';

const enc = (s: string) => new TextEncoder().encode(s);
const bytesOf = (c: RawCapture) => Buffer.from(c.toJson().base64, 'base64');

test('a capture keeps at most its limit, copies, and counts the whole message', () => {
  const c = new RawCapture(8);
  const chunk = Buffer.from('0123456789abcdef');
  c.add(chunk.subarray(0, 5));
  c.add(chunk.subarray(5));
  chunk.fill(0); // what was kept is a copy
  c.end(16);
  expect(c.toJson()).toEqual({ base64: Buffer.from('01234567').toString('base64'), length: 16, truncated: true });
});

test('a message shorter than the limit is whole and not truncated; bytes past its end are dropped', () => {
  const c = new RawCapture(64);
  c.add(enc('hello, next message'));
  c.end(5);
  expect(c.toJson()).toEqual({ base64: Buffer.from('hello').toString('base64'), length: 5, truncated: false });
});

test('reset forgets a first attempt', () => {
  const c = new RawCapture(64);
  c.add(enc('first'));
  c.reset();
  c.add(enc('second'));
  expect(bytesOf(c).toString()).toBe('second');
});

/** Runs a request stream through a decoder with a tap, cut at `splits`; returns each message's capture. */
function tapRequests(stream: Uint8Array, splits: number[], limit: number): RawCapture[] {
  const tap = new RawStreamTap(limit);
  const captures: RawCapture[] = [];
  const decoder = new RequestStreamDecoder((ev) => {
    if (ev.type === 'message-start') captures.push(tap.start(ev.offset));
    if (ev.type === 'message-end') tap.end(ev.offset + ev.length);
  });
  let at = 0;
  for (const cut of [...splits, stream.length]) {
    tap.chunk(stream.subarray(at, cut), at);
    decoder.feed(stream.subarray(at, cut));
    at = cut;
  }
  return captures;
}

const messages = [
  encodeRequest({ protocol: 3, args: [enc('hello')] }),
  encodeRequest({ protocol: 2, args: [enc('get'), enc('/some/file')] }),
  encodeRequest({ protocol: 3, args: [enc('put'), enc('/f')], body: new Uint8Array(300).fill(0x41) }),
  encodeRequest({ protocol: 1, args: [enc('hello')] }),
];
const stream = Buffer.concat(messages);

test('a stream tap gives each pipelined message its exact bytes, at every split offset', () => {
  for (let split = 0; split <= stream.length; split++) {
    const captures = tapRequests(stream, [split], 4096);
    expect(captures.map((c) => bytesOf(c).toString('latin1')), `split at ${split}`).toEqual(messages.map((m) => Buffer.from(m).toString('latin1')));
    expect(captures.map((c) => c.toJson().truncated)).toEqual([false, false, false, false]);
  }
});

test('a stream tap byte by byte, and bounded: a long message keeps only its first bytes', () => {
  const limit = 40;
  const captures = tapRequests(stream, [...stream.keys()].slice(1), limit);
  expect(captures.map((c) => c.toJson().length)).toEqual(messages.map((m) => m.length));
  captures.forEach((c, i) => {
    expect(bytesOf(c).toString('latin1')).toBe(Buffer.from(messages[i].subarray(0, limit)).toString('latin1'));
    expect(c.toJson().truncated).toBe(messages[i].length > limit);
  });
});

test('header JSON is computed once for a repeated dict', () => {
  const h = new HeadersJson();
  const dict = new Map([['Software version', enc('3.3.2')]]);
  const first = h.of(dict);
  expect(first).toEqual({ 'Software version': '3.3.2' });
  expect(h.of(dict)).toBe(first);
  expect(h.of(null)).toBeNull();
});
