import { expect, test } from 'vitest';
import { encodeResponse } from '../../../src/shared/protocol';
import { oldServerAnswer, unknownMethodAnswer, vfsRefusedAnswer } from '../../../src/main/server/policies/answers';
import { decideRequest, type RequestHead } from '../../../src/main/server/policies/decide';
import { Pacer } from '../../../src/main/server/policies/pacing';
import { defaultPolicy, mergePolicy, PolicyError, PolicyStore } from '../../../src/main/server/policies/settings';

const enc = (args: string[]) => args.map((a) => new TextEncoder().encode(a));
const wire = (a: { protocol: 1 | 2 | 3; status: 'S' | 'E'; args: string[] }) => Buffer.from(encodeResponse({ ...a, args: enc(a.args) })).toString('latin1');
const head = (verb: string, protocol: 1 | 2 | 3 = 3, args: string[] = []): RequestHead => ({ protocol, verb, args });

test('defaults follow Breezy: 300 s client timeout, nothing else on', () => {
  const p = defaultPolicy();
  expect(p.clientTimeoutSec).toBe(300);
  expect(decideRequest(p, head('get', 3, ['/x']))).toEqual({ decision: { kind: 'relay', delayMs: 0 }, actions: [] });
});

test('merging validates and keeps what is not changed; the store changes while shared', () => {
  const store = new PolicyStore({ refuseVfs: true });
  expect(store.set({ latencyMs: 10 })).toMatchObject({ refuseVfs: true, latencyMs: 10 });
  expect(store.set({ emulate: { maxProtocol: 2 } as never }).emulate).toEqual({ maxProtocol: 2, unknownVerbs: [], softwareVersion: null });
  expect(() => mergePolicy(defaultPolicy(), { latencyMs: -1 })).toThrow(PolicyError);
  expect(() => mergePolicy(defaultPolicy(), { errorVerb: { verb: 'get', error: [] } })).toThrow(/errorVerb.error/);
  expect(() => mergePolicy(defaultPolicy(), { emulate: { maxProtocol: 4 as 3, unknownVerbs: [], softwareVersion: null } })).toThrow(/maxProtocol/);
});

test('VFS refusal answers with Breezy\'s text naming the verb, in the request\'s protocol version', () => {
  const p = mergePolicy(defaultPolicy(), { refuseVfs: true });
  const decided = decideRequest(p, head('get', 2, ['/trunk/.bzr/branch-format']));
  expect(decided.actions).toEqual([{ policy: 'refuse-vfs', action: 'refused a VFS request', verb: 'get', retryClass: 'read' }]);
  expect(decided.decision).toEqual({ kind: 'answer', answer: vfsRefusedAnswer(head('get', 2, ['/trunk/.bzr/branch-format'])) });
  const text = "VFS requests over the smart server are not allowed. Encountered: get, (b'/trunk/.bzr/branch-format',).";
  expect(wire(vfsRefusedAnswer(head('get', 1, ['/trunk/.bzr/branch-format'])))).toBe(`error\x01${text}\n`);
  expect(wire(vfsRefusedAnswer(head('get', 2, ['/trunk/.bzr/branch-format'])))).toBe(`bzr response 2\nfailed\nerror\x01${text}\n`);
  // Non-VFS verbs pass.
  expect(decideRequest(p, head('BzrDir.open_2.1')).decision.kind).toBe('relay');
});

test('unknown verbs and old servers are answered the way Breezy servers do', () => {
  expect(unknownMethodAnswer(head('Foo.bar', 3))).toEqual({ protocol: 3, status: 'E', args: ['UnknownMethod', 'Foo.bar'] });
  expect(wire(unknownMethodAnswer(head('Foo.bar', 2)))).toBe("bzr response 2\nfailed\nerror\x01Generic bzr smart protocol error: bad request 'Foo.bar'\n");
  expect(wire(oldServerAnswer(3))).toBe("error\x01Generic bzr smart protocol error: bad request 'bzr message 3 (bzr 1.6)'\n");
  expect(wire(oldServerAnswer(2))).toBe("error\x01Generic bzr smart protocol error: bad request 'bzr request 2'\n");
});

test('the first matching policy wins, and each action carries the verb\'s retry class', () => {
  const p = mergePolicy(defaultPolicy(), {
    refuseVfs: true,
    dropOnVerb: 'Branch.lock_write',
    errorVerb: { verb: 'Repository.get_stream', error: ['LockContention'] },
    emulate: { maxProtocol: 2, unknownVerbs: ['get'], softwareVersion: null },
    latencyMs: 7,
  });
  expect(decideRequest(p, head('hello', 3)).actions[0]).toMatchObject({ policy: 'emulate', retryClass: 'read' });
  expect(decideRequest(p, head('Branch.lock_write', 2))).toMatchObject({ decision: { kind: 'drop' }, actions: [{ retryClass: 'semi' }] });
  expect(decideRequest(p, head('get', 2)).actions[0].policy).toBe('emulate');
  expect(decideRequest(p, head('Repository.get_stream', 2)).decision).toEqual({ kind: 'answer', answer: { protocol: 2, status: 'E', args: ['LockContention'] } });
  expect(decideRequest(p, head('Branch.get_config_file', 2))).toMatchObject({ decision: { kind: 'relay', delayMs: 7 }, actions: [{ policy: 'latency' }] });
  expect(decideRequest(p, head('No.such_verb', 2)).actions[0].retryClass).toBe('unknown');
});

test('the bandwidth pacer keeps the average rate at the cap', () => {
  let now = 0;
  const pacer = new Pacer(() => now);
  expect(pacer.delayAfter(1000, 0)).toBe(0);
  expect(pacer.delayAfter(1000, 10_000)).toBe(100);
  now = 50;
  expect(pacer.delayAfter(1000, 10_000)).toBe(150);
  now = 1000;
  expect(pacer.delayAfter(500, 10_000)).toBe(50);
});
