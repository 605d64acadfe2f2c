/** Malformed and truncated streams: a specific code, the right offset, and a dead decoder. */
import { describe, expect, it } from 'vitest';
import {
  HpssError, RequestStreamDecoder, ResponseStreamDecoder, type DecodeEvent, type ProtocolVersion,
} from '../../../src/shared/protocol';
import { Bytes, HEADERS, V3 } from './support/naive';

type Decoder = { feed(c: Uint8Array): void; finish(): void };

function failure(make: () => Decoder, bytes: Uint8Array, pieces = 1): HpssError {
  const d = make();
  try {
    const step = Math.ceil(bytes.length / pieces);
    for (let at = 0; at < bytes.length; at += step) d.feed(bytes.subarray(at, at + step));
    d.finish();
  } catch (err) {
    if (err instanceof HpssError) return err;
    throw err;
  }
  throw new Error('decoded without error');
}

const req = (opts = {}) => () => new RequestStreamDecoder(() => {}, opts);
const res = (protocol: ProtocolVersion, verb: string) => () => {
  const d = new ResponseStreamDecoder(() => {});
  d.expect({ protocol, verb });
  return d;
};
const v3head = () => new Bytes().text(V3).prefixed(HEADERS);

describe.each([1, 3, 1000])('malformed input fed in %i piece(s)', (pieces) => {
  it.each([
    ['v3 bad part kind', req(), v3head().text('x'), 'bad-part', 56],
    ['v3 headers not a dict', req(), new Bytes().text(V3).prefixed('le'), 'bad-headers', 28],
    ['v3 structure not bencode', req(), v3head().text('s').prefixed('l5:helle'), 'bencode', 69],
    ['v3 structure not a list', req(), v3head().text('s').prefixed('i1e'), 'bad-part', 61],
    ['v3 end before args', req(), v3head().text('e'), 'bad-part', 56],
    ['v3 request status first', req(), v3head().text('oS'), 'bad-part', 57],
    ['v3 response bad marker', res(3, 'hello'), new Bytes().text('bzr message 4 (bzr 9.9)\n'), 'bad-marker', 0],
    ['v3 response status C', res(3, 'hello'), v3head().text('oC'), 'bad-status', 57],
    ['v3 giant headers length', req(), new Bytes().text(V3).u32(0xffffffff), 'too-large', 24],
    ['v3 giant structure length', req(), v3head().text('s').u32(0x7fffffff), 'too-large', 57],
    ['v2 response marker', res(2, 'hello'), new Bytes().text('bzr response 3\n'), 'bad-marker', 0],
    ['v2 status', res(2, 'hello'), new Bytes().text('bzr response 2\nmaybe\n'), 'bad-status', 15],
    ['v2 bulk length', res(2, 'get'), new Bytes().text('bzr response 2\nsuccess\nok\n1x\n'), 'bad-length', 26],
    ['v2 bulk trailer', res(2, 'get'), new Bytes().text('bzr response 2\nsuccess\nok\n1\nxdome\n'), 'bad-marker', 29],
    ['v2 chunked header', res(2, 'Repository.get_stream'), new Bytes().text('bzr response 2\nsuccess\nok\nchunky\n'), 'bad-marker', 26],
    ['v2 chunk length', res(2, 'Repository.get_stream'), new Bytes().text('bzr response 2\nsuccess\nok\nchunked\n-1\n'), 'bad-length', 34],
    ['v1 line over the limit', req({ maxStructureBytes: 10 }), new Bytes().text('hello'.repeat(5) + '\n'), 'too-large', 0],
    ['response with no request', () => new ResponseStreamDecoder(() => {}), new Bytes().text('ok\n'), 'unexpected-response', 0],
  ])('%s', (_name, make, bytes, code, offset) => {
    const err = failure(make, bytes.build(), pieces);
    expect(err.code).toBe(code);
    expect(err.kind).toBe('protocol');
    expect(err.fatal).toBe(true);
    expect(err.offset).toBe(offset);
    expect(err.message).toContain(`(at byte ${offset})`);
  });
});

describe('truncated input', () => {
  const full = v3head().text('s').prefixed('l3:pute').text('b').prefixed('0123456789').text('e').build();

  it.each([10, 30, 57, 62, 70, 75, full.length - 1])('ends at %i: truncated, at the end offset', (cut) => {
    const err = failure(req(), full.subarray(0, cut), 2);
    expect(err.code).toBe('truncated');
    expect(err.offset).toBe(cut);
  });

  it('the whole message is fine', () => {
    const events: DecodeEvent[] = [];
    const d = new RequestStreamDecoder((e) => events.push(e));
    d.feed(full);
    d.finish();
    expect(events.at(-1)).toMatchObject({ type: 'message-end', offset: 0, length: full.length });
  });
});

describe('a failed decoder', () => {
  it('refuses more input loudly', () => {
    const d = new RequestStreamDecoder(() => {});
    expect(() => d.feed(v3head().text('x').build())).toThrow(HpssError);
    let err: unknown;
    try {
      d.feed(new Uint8Array([1]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HpssError);
    expect((err as HpssError).code).toBe('decoder-failed');
    expect((err as HpssError).offset).toBe(56);
  });
});

describe('a giant body length prefix', () => {
  it('is streamed, never allocated', () => {
    const before = process.memoryUsage().arrayBuffers;
    const lengths: number[] = [];
    const d = new RequestStreamDecoder((e) => {
      if (e.type === 'body-part-start') lengths.push(e.length);
    });
    d.feed(v3head().text('s').prefixed('l3:pute').text('b').u32(0xffffffff).raw([1, 2, 3]).build());
    expect(lengths).toEqual([0xffffffff]);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    expect(() => d.finish()).toThrow(/truncated|stream ended/);
  });
});
