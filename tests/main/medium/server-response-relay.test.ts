import { expect, test } from 'vitest';
import type { PolicySettings } from '../../../src/shared/api';
import { encodeResponse } from '../../../src/shared/protocol';
import { BodyTally, type CallRecord } from '../../../src/main/medium/server-call-record';
import { RawCapture } from '../../../src/main/medium/wire-capture';
import { ResponseRelay } from '../../../src/main/medium/server-response-relay';
import type { PolicyAction } from '../../../src/main/server/policies/decide';
import { mergePolicy, defaultPolicy } from '../../../src/main/server/policies/settings';

const enc = (s: string) => new TextEncoder().encode(s);

function record(verb: string, protocol: 1 | 2 | 3 = 3): CallRecord {
  return { callId: 'c1', protocol, verb, args: [], verbKind: 'read', vfs: false, route: { kind: 'relay' }, startedAt: 0, requestBody: new BodyTally(), requestEnded: true, responseBody: new BodyTally(), status: null, responseArgs: [], requestHeaders: null, requestRaw: new RawCapture() };
}

/** Feeds `bytes` split into `chunks` pieces at the given offsets; returns what the client got. */
async function relay(policy: Partial<PolicySettings>, rec: CallRecord, bytes: Uint8Array, splits: number[]) {
  const out: Buffer[] = [];
  const completed: CallRecord[] = [];
  const actions: PolicyAction[] = [];
  let closed: string | null = null;
  const settings = mergePolicy(defaultPolicy(), policy);
  const r = new ResponseRelay({
    policy: () => settings,
    send: (b) => void out.push(Buffer.from(b)),
    complete: (c) => void completed.push(c),
    report: (a) => void actions.push(...a),
    close: (reason) => void (closed = reason),
    isClosed: () => closed !== null,
    tapFailed: (m) => {
      throw new Error(m);
    },
  });
  r.expect(rec);
  let at = 0;
  for (const cut of [...splits, bytes.length]) {
    if (closed) break;
    await r.onChunk(Buffer.from(bytes.subarray(at, cut)));
    at = cut;
  }
  return { out: Buffer.concat(out), completed, actions, closed };
}

const hello = encodeResponse({ protocol: 3, status: 'S', args: [enc('ok'), enc('2')] });

test('without policies the bytes pass unchanged, at every split offset, and the call completes', async () => {
  for (let split = 0; split <= hello.length; split++) {
    const { out, completed } = await relay({}, record('hello'), hello, [split]);
    expect(Buffer.compare(out, Buffer.from(hello))).toBe(0);
    expect(completed.map((c) => [c.status, c.responseArgs])).toEqual([['S', ['ok', '2']]]);
  }
});

test('a chosen Software version replaces the header of a relayed v3 response, at every split offset', async () => {
  const want = Buffer.from(encodeResponse({ protocol: 3, status: 'S', args: [enc('ok'), enc('2')], headers: new Map([['Software version', enc('1.6.0')]]) }));
  for (let split = 0; split <= hello.length; split++) {
    const { out } = await relay({ emulate: { maxProtocol: 3, unknownVerbs: [], softwareVersion: '1.6.0' } }, record('hello'), hello, [split]);
    expect(out.toString('latin1'), `split at ${split}`).toBe(want.toString('latin1'));
  }
  // Byte by byte too.
  const bytewise = await relay({ emulate: { maxProtocol: 3, unknownVerbs: [], softwareVersion: '1.6.0' } }, record('hello'), hello, [...hello.keys()].slice(1));
  expect(bytewise.out.toString('latin1')).toBe(want.toString('latin1'));
});

test('a body is cut in its middle, and the action names the verb and its retry class', async () => {
  const body = new Uint8Array(1000).fill(0x61);
  const response = encodeResponse({ protocol: 3, status: 'S', args: [enc('ok')], body });
  const { out, closed, actions, completed } = await relay({ cutBodyOfVerb: 'get' }, record('get'), response, []);
  expect(closed).toBe('policy cut the response body of get');
  expect(out.length).toBeGreaterThan(response.length - body.length);
  expect(out.length).toBeLessThan(response.length);
  expect(actions).toEqual([{ policy: 'cut-body', action: 'cut the connection inside a response body', verb: 'get', retryClass: 'read' }]);
  expect(completed).toEqual([]);
});

test('the tap captures each response\'s headers and exact bytes, at every split offset, pipelined', async () => {
  const second = encodeResponse({ protocol: 3, status: 'E', args: [enc('nosuchfile'), enc('x')] });
  const both = Buffer.concat([hello, second]);
  for (let split = 0; split <= both.length; split++) {
    const completed: CallRecord[] = [];
    const r = new ResponseRelay({
      policy: () => defaultPolicy(),
      send: () => undefined,
      complete: (c) => void completed.push(c),
      report: () => undefined,
      close: () => undefined,
      isClosed: () => false,
      tapFailed: (m) => {
        throw new Error(m);
      },
    });
    r.expect(record('hello'));
    r.expect(record('get'));
    await r.onChunk(both.subarray(0, split));
    await r.onChunk(both.subarray(split));
    expect(completed.map((c) => Buffer.from(c.responseRaw?.toJson().base64 ?? '', 'base64').toString('latin1')), `split at ${split}`).toEqual([
      Buffer.from(hello).toString('latin1'),
      Buffer.from(second).toString('latin1'),
    ]);
    expect(completed.map((c) => c.responseHeaders)).toEqual([{ 'Software version': '3.3.2' }, { 'Software version': '3.3.2' }]);
  }
});
