/**
 * The app's own client against a real `brz serve`: each call's `call-finished` carries the
 * request as it went out and the response as it came in (headers and exact first bytes).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/shared/events';
import { encodeRequest, encodeResponse } from '../../src/shared/protocol';
import { SmartClient } from '../../src/main/client/smart-client';
import { sendCall } from '../../src/main/engine/client-call';
import { EventBus, IdSource } from '../../src/main/bus/event-bus';
import { PipesClientMedium } from '../../src/main/medium/pipes-client-medium';
import { startTestHosts, type TestHosts } from '../support/test-hosts';
import { V2_ONLY_BRZ } from '../support/v2-only-breezy';

const enc = (s: string) => new TextEncoder().encode(s);
const latin1 = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('latin1');
let hosts: TestHosts;
const events: EngineEvent[] = [];
const bus = new EventBus();
const ids = new IdSource();
bus.on((e) => events.push(e));

beforeAll(() => {
  hosts = startTestHosts();
}, 30_000);

afterAll(() => hosts?.stop());

function finishedOf(verb: string): Extract<EngineEvent, { type: 'call-finished' }> {
  const e = events.find((x): x is Extract<EngineEvent, { type: 'call-finished' }> => x.type === 'call-finished' && x.verb === verb);
  if (!e) throw new Error(`no call-finished for ${verb}`);
  return e;
}

test('hello: the request and response bytes are exactly what went over the wire', async () => {
  const result = await sendCall({ url: hosts.env.BZR_URL, verb: 'hello', args: [] }, { refuseVfs: false }, bus, ids);
  expect(result.args).toEqual(['ok', '2']);
  const e = finishedOf('hello');
  expect(e.requestHeaders).toEqual({ 'Software version': '3.3.2' });
  expect(e.headers).toEqual({ 'Software version': '3.3.2' });
  expect(latin1(e.requestRaw?.base64)).toBe(Buffer.from(encodeRequest({ protocol: 3, args: [enc('hello')] })).toString('latin1'));
  expect(latin1(e.raw?.base64)).toBe(Buffer.from(encodeResponse({ protocol: 3, status: 'S', args: [enc('ok'), enc('2')] })).toString('latin1'));
  expect([e.requestRaw?.truncated, e.raw?.truncated]).toEqual([false, false]);
});

test('a request body larger than the capture: its first 4 KiB, marked truncated, with the whole length', async () => {
  const body = Buffer.alloc(10_000, 0x61);
  await sendCall({ url: hosts.env.BZR_URL, verb: 'Repository.insert_stream_1.19', args: ['nowhere/', '', ''], bodyBase64: body.toString('base64') }, { refuseVfs: false }, bus, ids);
  const e = finishedOf('Repository.insert_stream_1.19');
  const sent = encodeRequest({ protocol: 3, args: ['Repository.insert_stream_1.19', 'nowhere/', '', ''].map(enc), body });
  expect(e.requestRaw?.length).toBe(sent.length);
  expect(e.requestRaw?.truncated).toBe(true);
  expect(latin1(e.requestRaw?.base64)).toBe(Buffer.from(sent.subarray(0, 4096)).toString('latin1'));
  // The server's error answer is whole.
  expect(e.raw?.truncated).toBe(false);
  expect(latin1(e.raw?.base64).startsWith('bzr message 3 (bzr 1.6)\n')).toBe(true);
});

test('after falling back to v2, the request shows as sent in v2 (no headers), not the refused v3 attempt', async () => {
  const medium = new PipesClientMedium({ bus, ids, command: ['/usr/bin/python3', '-c', V2_ONLY_BRZ, 'serve', '--inet', `--directory=${hosts.env.REPOS}`], env: hosts.brzEnv() });
  try {
    const r = await new SmartClient(medium, { bus, ids }).call('Transport.is_readonly');
    expect(r.protocol).toBe(2);
    // call-started names the version that carried the call, not the refused v3 attempt.
    expect(events.filter((x) => x.type === 'call-started' && x.verb === 'Transport.is_readonly').map((x) => x.type === 'call-started' && x.protocol)).toEqual([2]);
    const e = finishedOf('Transport.is_readonly');
    expect(e.requestHeaders).toBeNull();
    expect(e.headers).toBeNull();
    expect(latin1(e.requestRaw?.base64)).toBe(Buffer.from(encodeRequest({ protocol: 2, args: [enc('Transport.is_readonly')] })).toString('latin1'));
    expect(latin1(e.raw?.base64)).toBe('bzr response 2\nsuccess\nyes\n');
  } finally {
    medium.close();
  }
});
