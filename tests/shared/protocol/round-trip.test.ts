/** encode → decode round trips for every message kind and version. */
import { describe, expect, it } from 'vitest';
import {
  encodeRequest, encodeResponse, HpssError, MessageCollector, RequestStreamDecoder, ResponseStreamDecoder,
  type BValue, type CollectedMessage, type ProtocolVersion, type RequestToEncode, type ResponseToEncode,
} from '../../../src/shared/protocol';
import { text } from './support/naive';

const b = text;

function decodeRequests(bytes: Uint8Array): CollectedMessage[] {
  const out: CollectedMessage[] = [];
  const d = new RequestStreamDecoder(new MessageCollector((m) => out.push(m)).onEvent);
  for (let at = 0; at < bytes.length; at += 7) d.feed(bytes.subarray(at, at + 7));
  d.finish();
  return out;
}

function decodeResponse(bytes: Uint8Array, protocol: ProtocolVersion, verb: string): CollectedMessage {
  const out: CollectedMessage[] = [];
  const d = new ResponseStreamDecoder(new MessageCollector((m) => out.push(m)).onEvent);
  d.expect({ protocol, verb });
  for (let at = 0; at < bytes.length; at += 5) d.feed(bytes.subarray(at, at + 5));
  d.finish();
  expect(out).toHaveLength(1);
  return out[0];
}

const stream = [b('first'), new Uint8Array(0), b('second part')];
const binary = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 255);

describe('requests', () => {
  const cases: [string, RequestToEncode][] = [];
  for (const protocol of [1, 2, 3] as const) {
    cases.push([`v${protocol} no body`, { protocol, args: [b('BzrDir.open_2.1'), b('trunk/')] }]);
    cases.push([`v${protocol} bulk body`, { protocol, args: [b('put'), b('/f'), b('')], body: binary }]);
  }
  cases.push(['v3 streamed body', { protocol: 3, args: [b('Repository.insert_stream_1.19'), b('r/'), b('')], bodyStream: stream }]);
  cases.push(['v3 nested args and headers', {
    protocol: 3, args: [b('x'), [b('a'), 5, new Map<string, BValue>([['k', b('v')]])]], headers: new Map([['h', b('1')]]),
  }]);

  it.each(cases)('%s', (_name, req) => {
    const bytes = new Uint8Array([...encodeRequest(req), ...encodeRequest(req)]);
    const [m, again] = decodeRequests(bytes);
    expect(again.offset).toBe(m.length);
    expect(m.summary.protocol).toBe(req.protocol);
    expect(m.summary.args).toEqual(req.args);
    const parts = req.bodyStream ?? (req.body ? [req.body] : []);
    expect(m.bodyParts).toEqual(parts);
    expect(m.summary.headers).toEqual(req.protocol === 3 ? (req.headers ?? new Map([['Software version', b('3.3.2')]])) : null);
  });

  it('v1/v2 cannot stream a request body', () => {
    expect(() => encodeRequest({ protocol: 2, args: [b('x')], bodyStream: [] })).toThrow(HpssError);
  });
});

describe('responses', () => {
  const cases: [string, string, ResponseToEncode][] = [];
  for (const protocol of [1, 2, 3] as const) {
    cases.push([`v${protocol} success`, 'hello', { protocol, status: 'S', args: [b('ok'), b('2')] }]);
    cases.push([`v${protocol} bulk body`, 'get', { protocol, status: 'S', args: [b('ok')], body: binary }]);
    cases.push([`v${protocol} error`, 'get', { protocol, status: 'E', args: [b('NoSuchFile'), b('/x')] }]);
  }
  for (const protocol of [2, 3] as const) {
    cases.push([`v${protocol} streamed body`, 'Repository.get_stream', { protocol, status: 'S', args: [b('ok')], bodyStream: stream }]);
    cases.push([`v${protocol} error in mid-stream`, 'Repository.get_stream', {
      protocol, status: 'S', args: [b('ok')], bodyStream: stream.slice(0, 1), postBodyError: [b('NoSuchRevision'), b('r1')],
    }]);
    cases.push([`v${protocol} empty stream`, 'Repository.get_stream', { protocol, status: 'S', args: [b('ok')], bodyStream: [] }]);
  }
  cases.push(['v3 empty args', 'get', { protocol: 3, status: 'S', args: [] }]);

  it.each(cases)('%s', (_name, verb, res) => {
    const m = decodeResponse(encodeResponse(res), res.protocol, verb);
    expect(m.summary.status).toBe(res.protocol === 1 ? null : res.status);
    expect(m.summary.args).toEqual(res.args);
    const parts = res.bodyStream ?? (res.body ? [res.body] : []);
    expect(m.bodyParts).toEqual(parts);
    expect(m.summary.postBodyArgs).toEqual(res.postBodyError);
    if (res.protocol !== 3 && (res.body || res.bodyStream)) {
      expect(m.summary.body?.encoding).toBe(res.body ? 'bulk' : 'chunked');
    }
  });
});

describe('MessageCollector', () => {
  it('caps collected body bytes with a precise error', () => {
    const d = new RequestStreamDecoder(new MessageCollector(() => {}, { maxBodyBytes: 100 }).onEvent);
    let err: unknown;
    try {
      d.feed(encodeRequest({ protocol: 3, args: [b('put')], bodyStream: [new Uint8Array(60), new Uint8Array(60)] }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HpssError);
    expect((err as HpssError).code).toBe('body-too-large');
    expect((err as HpssError).message).toContain('part of 60 bytes after 60');
  });
});
