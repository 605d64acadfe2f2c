/** Decoders against hand-built byte vectors, fed whole, byte by byte and split at every offset. */
import { describe, expect, it } from 'vitest';
import {
  ConnectionDecoder, RequestStreamDecoder, ResponseStreamDecoder, toJsonValue, type CollectedMessage, type DecodeEvent,
  type ProtocolVersion,
} from '../../../src/shared/protocol';
import { Bytes, feedAllWays, HEADERS, V3 } from './support/naive';

const requests = (onEvent: (e: DecodeEvent) => void): RequestStreamDecoder => new RequestStreamDecoder(onEvent);

function responses(...expect: [ProtocolVersion, string][]) {
  return (onEvent: (e: DecodeEvent) => void): ResponseStreamDecoder => {
    const d = new ResponseStreamDecoder(onEvent);
    for (const [protocol, verb] of expect) d.expect({ protocol, verb });
    return d;
  };
}

/** A readable form of a collected message. */
function view(m: CollectedMessage) {
  const s = m.summary;
  return {
    kind: s.kind,
    protocol: s.protocol,
    offset: m.offset,
    length: m.length,
    headers: s.headers && toJsonValue(s.headers),
    status: s.status,
    args: s.args.map(toJsonValue),
    body: m.body && Buffer.from(m.body).toString('latin1'),
    parts: m.bodyParts.map((p) => p.length),
    encoding: s.body?.encoding,
    v3parts: s.parts,
    post: s.postBodyArgs?.map(toJsonValue),
  };
}

function decodeEveryWay(bytes: Uint8Array, make: Parameters<typeof feedAllWays>[1]) {
  const all = feedAllWays(bytes, make).map((ms) => ms.map(view));
  for (const other of all.slice(1)) expect(other).toEqual(all[0]);
  return all[0];
}

describe('v3', () => {
  it('a request with a streamed body and then the next request (push-back)', () => {
    const b = new Bytes()
      .text(V3).prefixed(HEADERS).text('s').prefixed('l24:Repository.insert_stream5:repo/e')
      .text('b').prefixed('abc').text('b').u32(0).text('b').prefixed('de').text('e');
    const first = b.length;
    b.text(V3).prefixed('de').text('s').prefixed('l5:helloe').text('e');
    expect(decodeEveryWay(b.build(), requests)).toEqual([
      {
        kind: 'request', protocol: 3, offset: 0, length: first, headers: { 'Software version': '3.3.2' }, status: null,
        args: ['Repository.insert_stream', 'repo/'], body: 'abcde', parts: [3, 0, 2], encoding: undefined,
        v3parts: ['s', 'b:3', 'b:0', 'b:2', 'e'], post: undefined,
      },
      {
        kind: 'request', protocol: 3, offset: first, length: b.length - first, headers: {}, status: null, args: ['hello'],
        body: null, parts: [], encoding: undefined, v3parts: ['s', 'e'], post: undefined,
      },
    ]);
  });

  it('a request whose body stream fails: oE and an error structure', () => {
    const b = new Bytes().text(V3).prefixed(HEADERS).text('s').prefixed('l3:put1:xe').text('b').prefixed('zz')
      .text('oE').text('s').prefixed('l5:errore').text('e');
    const [m] = decodeEveryWay(b.build(), requests);
    expect(m.post).toEqual(['error']);
    expect(m.v3parts).toEqual(['s', 'b:2', 'o:E', 's', 'e']);
  });

  it('a response with an error in mid-stream', () => {
    const b = new Bytes().text(V3).prefixed(HEADERS).text('oS').text('s').prefixed('l2:oke')
      .text('b').prefixed('chunk1').text('oE').text('s').prefixed('l4:Boomi7ee').text('e');
    const [m] = decodeEveryWay(b.build(), responses([3, 'Repository.get_stream']));
    expect(m).toMatchObject({ status: 'S', args: ['ok'], body: 'chunk1', post: ['Boom', 7], v3parts: ['o:S', 's', 'b:6', 'o:E', 's', 'e'] });
  });

  it('an error response with nested and binary values', () => {
    const b = new Bytes().text(V3).prefixed(HEADERS).text('oE').text('s').u32(15).text('l2:E1').raw([0x32, 0x3a, 0xff, 0x00]).text('li1eee').text('e');
    const [m] = decodeEveryWay(b.build(), responses([3, 'get']));
    expect(m).toMatchObject({ status: 'E', args: ['E1', 'hex:ff00', [1]], body: null });
  });
});

describe('v2', () => {
  it('requests: a bulk body only for verbs whose handler reads one', () => {
    const b = new Bytes().text('bzr request 2\nput\x01/a\x01\n3\nabcdone\n').text('bzr request 2\nget\x01/a\n');
    expect(decodeEveryWay(b.build(), requests)).toMatchObject([
      { protocol: 2, offset: 0, length: 32, args: ['put', '/a', ''], body: 'abc', encoding: 'bulk' },
      { protocol: 2, offset: 32, length: 21, args: ['get', '/a'], body: null },
    ]);
  });

  it('responses: bulk, chunked with ERR, failed without body', () => {
    const b = new Bytes()
      .text('bzr response 2\nsuccess\nok\n5\ndone\ndone\n')
      .text('bzr response 2\nsuccess\nok\nchunked\n3\nabc0\nERR\n9\nNoSuchRev2\nr1END\n')
      .text('bzr response 2\nfailed\nNoSuchFile\x01/x\n');
    const got = decodeEveryWay(b.build(), responses([2, 'get'], [2, 'Repository.get_stream'], [2, 'get']));
    expect(got).toMatchObject([
      { status: 'S', args: ['ok'], body: 'done\n', encoding: 'bulk', parts: [5] },
      { status: 'S', args: ['ok'], body: 'abc', encoding: 'chunked', parts: [3, 0], post: ['NoSuchRev', 'r1'] },
      { status: 'E', args: ['NoSuchFile', '/x'], body: null },
    ]);
  });
});

describe('v1', () => {
  it('requests and responses: error codes and streamed verbs have no body', () => {
    const req = new Bytes().text('hello\nreadv\x01/f\n3\n0,1done\n').build();
    expect(decodeEveryWay(req, requests)).toMatchObject([
      { protocol: 1, args: ['hello'], length: 6 },
      { protocol: 1, args: ['readv', '/f'], body: '0,1', length: 19 },
    ]);
    const res = new Bytes().text('ok\x012\n').text('NoSuchFile\x01/f\n').text('ok\x0110\n').text('ok\n1\nxdone\n').build();
    expect(
      decodeEveryWay(res, responses([1, 'hello'], [1, 'get'], [1, 'Repository.iter_revisions'], [1, 'get'])),
    ).toMatchObject([
      { status: null, args: ['ok', '2'], body: null },
      { args: ['NoSuchFile', '/f'], body: null },
      { args: ['ok', '10'], body: null },
      { args: ['ok'], body: 'x' },
    ]);
  });

  it('an empty response line is one empty field, as _decode_tuple makes it', () => {
    expect(decodeEveryWay(new Bytes().text('\n').build(), responses([1, 'hello']))).toMatchObject([{ args: [''] }]);
  });
});

describe('responses before their request is known', () => {
  it('wait for expect()', () => {
    const events: DecodeEvent[] = [];
    const d = new ResponseStreamDecoder((e) => events.push(e));
    d.feed(new Bytes().text('ok\x012\n').build());
    expect(events).toHaveLength(0);
    d.expect({ protocol: 1, verb: 'hello' });
    expect(events.map((e) => e.type)).toEqual(['message-start', 'args', 'message-end']);
    d.finish();
  });
});

describe('ConnectionDecoder', () => {
  it('pairs response i with request i even when response bytes come first', () => {
    const seen: string[] = [];
    const d = new ConnectionDecoder((dir, e) => {
      if (e.type === 'message-end') seen.push(`${dir} v${e.summary.protocol} ${e.summary.body?.length ?? '-'}`);
    });
    d.feedResponseBytes(new Bytes().text('bzr response 2\nsuccess\nok\n2\nhidone\n').build());
    expect(d.responses.offset).toBe(35);
    expect(seen).toEqual([]);
    d.feedRequestBytes(new Bytes().text('bzr request 2\nget\x01/f\n').build());
    d.feedRequestBytes(new Bytes().text('hello\n').build());
    d.feedResponseBytes(new Bytes().text('ok\x012\n').build());
    d.finish();
    expect(seen).toEqual(['c2s v2 -', 's2c v2 2', 'c2s v1 -', 's2c v1 -']);
    expect(d.requests.offset).toBe(27);
    expect(d.responses.offset).toBe(40);
  });
});

describe('an old server', () => {
  it("answers a v3 request with a v1 'bad request' error: decoded as the v1 response it is", () => {
    const line = "error\x01Generic bzr smart protocol error: bad request 'bzr message 3 (bzr 1.6)'\n";
    const got = decodeEveryWay(new Bytes().text(line).build(), responses([3, 'BzrDir.open_2.1']));
    expect(got).toMatchObject([
      { protocol: 1, status: null, args: ['error', "Generic bzr smart protocol error: bad request 'bzr message 3 (bzr 1.6)'"], body: null },
    ]);
  });
});
