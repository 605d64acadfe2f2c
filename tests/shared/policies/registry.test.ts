import { expect, test } from 'vitest';
import { checkPolicy, defaultPolicy, faultChips, InvalidPolicy, mergePolicy, POLICY_LIST, policyFromInputs, policyInputs, type RequestHead } from '../../../src/shared/policies';
import { utf8Bytes } from '../../../src/shared/protocol';

const head = (verb: string, protocol: 1 | 2 | 3 = 3, args: string[] = [], vfs = false): RequestHead => ({ protocol, verb, args: args.map(utf8Bytes), vfs });

/** Every request hook's verdict, in registry order (as the core asks them). */
function verdicts(change: object, h: RequestHead) {
  const s = mergePolicy(defaultPolicy(), change);
  return POLICY_LIST.flatMap((p) => {
    const v = p.request?.(h, s);
    return v ? [{ policy: p.id, ...v }] : [];
  });
}

test('defaults follow Breezy (300 s client timeout, nothing else on) and come from the policies themselves', () => {
  const p = defaultPolicy();
  expect(p.clientTimeoutSec).toBe(300);
  expect(p).toEqual({
    emulate: { maxProtocol: 3, unknownVerbs: [], softwareVersion: null },
    dropOnVerb: null,
    refuseVfs: false,
    errorVerb: null,
    latencyMs: 0,
    responseDelayMs: 0,
    jitterMs: 0,
    cutBodyOfVerb: null,
    bandwidthBytesPerSec: 0,
    dropAfterBytes: 0,
    dropAfterCalls: 0,
    clientTimeoutSec: 300,
  });
  expect(verdicts({}, head('get', 3, ['/x'], true))).toEqual([]);
  // Defaults are copies: a change to one server's list is not another's.
  defaultPolicy().emulate.unknownVerbs.push('x');
  expect(defaultPolicy().emulate.unknownVerbs).toEqual([]);
});

test('one validator for every field: unknown fields, bad values and partial objects', () => {
  expect(() => checkPolicy({ nope: 1 })).toThrow(/unknown field 'nope'/);
  expect(() => checkPolicy({ latencyMs: -1 })).toThrow(InvalidPolicy);
  expect(() => checkPolicy({ latencyMs: 1.5 })).toThrow(/latencyMs/);
  expect(checkPolicy({ clientTimeoutSec: 0.5 })).toEqual({ clientTimeoutSec: 0.5 });
  expect(() => checkPolicy({ errorVerb: { verb: 'get', error: [] } })).toThrow(/errorVerb.error: needs at least the error name/);
  expect(() => checkPolicy({ emulate: { maxProtocol: 4, unknownVerbs: [], softwareVersion: null } })).toThrow(/maxProtocol/);
  expect(() => checkPolicy({ dropOnVerb: 'two words' })).toThrow(/whitespace/);
  expect(mergePolicy(defaultPolicy(), { emulate: { maxProtocol: 2 } }).emulate).toEqual({ maxProtocol: 2, unknownVerbs: [], softwareVersion: null });
});

test("VFS refusal answers with Breezy's text naming the verb; other verbs pass", () => {
  expect(verdicts({ refuseVfs: true }, head('get', 2, ['/trunk/.bzr/branch-format'], true))).toEqual([
    { policy: 'refuse-vfs', kind: 'answer', action: 'refused a VFS request', answer: { status: 'E', args: ['error', "VFS requests over the smart server are not allowed. Encountered: get, (b'/trunk/.bzr/branch-format',)."] } },
  ]);
  expect(verdicts({ refuseVfs: true }, head('BzrDir.open_2.1'))).toEqual([]);
});

test('older servers and unknown verbs are answered the way Breezy servers do', () => {
  expect(verdicts({ emulate: { maxProtocol: 2 } }, head('hello', 3))[0]).toMatchObject({
    kind: 'answer',
    answer: { protocol: 1, status: 'E', args: ['error', "Generic bzr smart protocol error: bad request 'bzr message 3 (bzr 1.6)'"] },
  });
  expect(verdicts({ emulate: { maxProtocol: 1 } }, head('hello', 2))[0]).toMatchObject({ answer: { args: ['error', "Generic bzr smart protocol error: bad request 'bzr request 2'"] } });
  expect(verdicts({ emulate: { unknownVerbs: ['Foo.bar'] } }, head('Foo.bar', 3))[0]).toMatchObject({ answer: { args: ['UnknownMethod', 'Foo.bar'] } });
  expect(verdicts({ emulate: { unknownVerbs: ['Foo.bar'] } }, head('Foo.bar', 2))[0]).toMatchObject({ answer: { args: ['error', "Generic bzr smart protocol error: bad request 'Foo.bar'"] } });
});

test('the registry order decides: emulation, then drop, refusal, error, latency', () => {
  const all = { refuseVfs: true, dropOnVerb: 'Branch.lock_write', errorVerb: { verb: 'Repository.get_stream', error: ['LockContention'] }, emulate: { maxProtocol: 2, unknownVerbs: ['get'] }, latencyMs: 7 };
  expect(verdicts(all, head('hello', 3))[0].policy).toBe('emulate');
  expect(verdicts(all, head('Branch.lock_write', 2))[0]).toMatchObject({ policy: 'drop-on-verb', kind: 'drop' });
  expect(verdicts(all, head('Repository.get_stream', 2))[0]).toMatchObject({ policy: 'error-verb', answer: { status: 'E', args: ['LockContention'] } });
  expect(verdicts(all, head('Branch.get_config_file', 2))).toEqual([{ policy: 'latency', kind: 'delay', ms: 7, action: 'delayed the request 7 ms' }]);
});

test('every input reads and writes its fields; text from a form or a flag is validated as the API is', () => {
  const flags = policyInputs().map(({ input }) => input.flag);
  expect(new Set(flags).size).toBe(flags.length);
  for (const want of ['refuse-vfs', 'client-timeout', 'latency', 'bandwidth', 'drop-after-bytes', 'drop-after-calls', 'drop-on-verb', 'cut-body-of', 'error-verb', 'response-delay', 'max-protocol', 'unknown-verbs', 'software-version']) {
    expect(flags).toContain(want);
  }
  const set = policyFromInputs(
    defaultPolicy(),
    new Map<string, string | boolean>([
      ['error-verb', 'Branch.lock_write=LockContention,held'],
      ['max-protocol', '2'],
      ['unknown-verbs', 'BzrDir.open_2.1, Branch.get_tags_bytes'],
      ['client-timeout', '2.5'],
      ['refuse-vfs', true],
    ]),
  );
  expect(set).toMatchObject({ errorVerb: { verb: 'Branch.lock_write', error: ['LockContention', 'held'] }, emulate: { maxProtocol: 2, unknownVerbs: ['BzrDir.open_2.1', 'Branch.get_tags_bytes'] }, clientTimeoutSec: 2.5, refuseVfs: true });
  // Each input shows what it set.
  for (const { input } of policyInputs()) {
    const shown = input.show(set);
    expect(policyFromInputs(set, new Map([[input.flag, shown]]))).toEqual(set);
  }
  expect(() => policyFromInputs(defaultPolicy(), new Map([['latency', 'soon']]))).toThrow(/^--latency: 'soon' is not a whole number/);
  expect(() => policyFromInputs(defaultPolicy(), new Map([['max-protocol', '5']]))).toThrow(/maxProtocol/);
  expect(() => policyFromInputs(defaultPolicy(), new Map([['error-verb', 'nothing']]))).toThrow(/VERB=ERROR/);
});

test("fault chips come from the policies: none at the defaults, one per policy's fault in plain words", () => {
  expect(faultChips(defaultPolicy())).toEqual([]);
  const set = (change: object) => faultChips(mergePolicy(defaultPolicy(), change));
  expect(set({ refuseVfs: true, dropAfterCalls: 3 })).toEqual(['refuses file-level (VFS) calls', 'drops after call 3']);
  // Jitter varies the delays: alone it changes nothing and shows nothing.
  expect(set({ jitterMs: 30 })).toEqual([]);
  expect(set({ responseDelayMs: 20, jitterMs: 30 })).toEqual(['responses +20 ms', 'jitter 0–30 ms']);
  expect(set({ emulate: { maxProtocol: 2, unknownVerbs: ['BzrDir.open_2.1'], softwareVersion: null } })).toEqual(['acts as a v2-only server', 'pretends not to know BzrDir.open_2.1']);
  // A shorter idle timeout than Breezy's is a fault; a longer one, or none, is not.
  expect(set({ clientTimeoutSec: 5 })).toEqual(['cuts clients idle 5 s']);
  expect(set({ clientTimeoutSec: 0 })).toEqual([]);
  // Every policy that can act has words for it: each input set to a non-default value shows a chip.
  for (const { policy, input } of policyInputs()) {
    if (policy.id === 'jitter' || policy.id === 'client-timeout') continue; // covered above
    const special: Record<string, string> = { 'max-protocol': '2', 'error-verb': 'get=NoSuchFile' };
    const value = special[input.flag] ?? (input.type === 'boolean' ? true : input.type === 'number' ? '7' : 'get');
    const chips = faultChips(policyFromInputs(defaultPolicy(), new Map([[input.flag, value]])));
    expect(chips, input.flag).toHaveLength(1);
  }
});
