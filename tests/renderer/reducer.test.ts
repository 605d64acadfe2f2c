import { describe, expect, test } from 'vitest';
import { EventBus } from '../../src/main/bus/event-bus';
import type { EngineEvent, UnstampedEvent } from '../../src/shared/events';
import { callById } from '../../src/renderer/src/store/calls-reducer';
import { filterRows } from '../../src/renderer/src/store/filters';
import { MAX_CLOSED_MEDIUMS } from '../../src/renderer/src/store/mediums-reducer';
import { initialState, reduce } from '../../src/renderer/src/store/reducer';
import type { AppState, CallRecord, ListRow } from '../../src/renderer/src/store/types';

/** The calls among the list's rows (connection events are rows too). */
function callsOf(list: ListRow[]): CallRecord[] {
  return list.flatMap((r) => (r.row === 'call' ? [r] : []));
}

/** Real bus stamps: the reducer sees what the engine would send. */
function stamper() {
  const bus = new EventBus();
  return (e: UnstampedEvent) => bus.emit(e);
}

function callEvents(emit: (e: UnstampedEvent) => EngineEvent, mediumId: string, callId: string, verb: string, opts: { vfs?: boolean; status?: 'S' | 'E' } = {}): EngineEvent[] {
  return [
    emit({ type: 'call-started', mediumId, callId, protocol: 3, verb, args: ['a'], verbKind: opts.vfs ? 'vfs' : 'read', vfs: opts.vfs ?? false, requestBody: null }),
    emit({ type: 'call-finished', mediumId, callId, verb, status: opts.status ?? 'S', args: ['ok'], responseBody: { length: 3, parts: 1, preview: 'abc' }, durationMs: 2 }),
  ];
}

function apply(state: AppState, events: EngineEvent[]): AppState {
  return reduce(state, { type: 'events', events });
}

describe('event batches', () => {
  test('build medium rows with live counters and call records', () => {
    const emit = stamper();
    let s = initialState();
    s = apply(s, [
      emit({ type: 'medium-opened', mediumId: 'm1', kind: 'tcp-server', role: 'server', peer: '127.0.0.1:5000', ownerId: 'p1' }),
      ...callEvents(emit, 'm1', 'c1', 'BzrDir.open_2.1'),
      ...callEvents(emit, 'm1', 'c2', 'get', { vfs: true, status: 'E' }),
      emit({ type: 'bytes', mediumId: 'm1', direction: 'read', count: 100 }),
      emit({ type: 'bytes', mediumId: 'm1', direction: 'written', count: 40 }),
      emit({ type: 'timeout', mediumId: 'm1', message: 'disconnecting client after 300.0 seconds', seconds: 300 }),
    ]);
    expect(s.mediums.byId.m1).toMatchObject({ peer: '127.0.0.1:5000', ownerId: 'p1', state: 'open', calls: 2, vfsCalls: 1, bytesRead: 100, bytesWritten: 40, timeouts: 1, errors: 0 });
    expect(callsOf(s.calls.list).map((c) => [c.callId, c.verb, c.status])).toEqual([
      ['c1', 'BzrDir.open_2.1', 'S'],
      ['c2', 'get', 'E'],
    ]);
    expect(callById(s.calls, 'c2')?.responseBody?.preview).toBe('abc');
    s = apply(s, [
      emit({ type: 'call-started', mediumId: 'm1', callId: 'c3', protocol: 3, verb: 'get', args: [], verbKind: 'vfs', vfs: true, requestBody: null }),
      emit({ type: 'call-finished', mediumId: 'm1', callId: 'c3', verb: 'get', status: null, args: [], responseBody: null, durationMs: 1, error: { kind: 'transport', message: 'connection closed' } }),
    ]);
    // An error reply is an answer; a call that ended without one is a failure.
    expect(s.mediums.byId.m1.errors).toBe(1);
    s = apply(s, [emit({ type: 'medium-closed', mediumId: 'm1', reason: 'peer closed', calls: 3, vfsCalls: 2 })]);
    expect(s.mediums.byId.m1.state).toBe('closed');
  });

  test('a client medium between connections is idle, then open again under the same id', () => {
    const emit = stamper();
    let s = apply(initialState(), [
      emit({ type: 'medium-opened', mediumId: 'm1', kind: 'ssh-client', role: 'client', peer: 'h:22' }),
      emit({ type: 'medium-closed', mediumId: 'm1', reason: 'retry with v2', calls: 1, vfsCalls: 0, reconnectable: true }),
    ]);
    expect(s.mediums.byId.m1.state).toBe('idle');
    s = apply(s, [emit({ type: 'medium-opened', mediumId: 'm1', kind: 'ssh-client', role: 'client', peer: 'h:22' })]);
    expect(s.mediums.byId.m1.state).toBe('open');
    expect(s.mediums.order).toEqual(['m1']);
  });

  test('clearing forgets calls, connections and charts, and a replay does not bring them back', () => {
    const emit = stamper();
    const batch = callEvents(emit, 'm1', 'c1', 'hello');
    let s = apply(initialState(), batch);
    s = reduce(reduce(s, { type: 'select-call', callId: 'c1' }), { type: 'clear-activity' });
    expect([s.calls.list.length, s.mediums.order.length, s.series.calls.at(-1), s.ui.selectedCallId]).toEqual([0, 0, 0, null]);
    s = apply(s, [...batch, ...callEvents(emit, 'm1', 'c2', 'hello')]);
    expect(callsOf(s.calls.list).map((c) => c.callId)).toEqual(['c2']);
  });

  test('one state per batch; earlier states are left as they were', () => {
    const emit = stamper();
    const s0 = initialState();
    const s1 = apply(s0, callEvents(emit, 'm1', 'c1', 'hello'));
    const s2 = apply(s1, callEvents(emit, 'm1', 'c2', 'hello'));
    expect(s0.calls.list).toHaveLength(0);
    expect(s1.calls.list).toHaveLength(1);
    expect(s2.calls.list).toHaveLength(2);
    expect(s1.mediums.byId.m1.calls).toBe(1);
    expect(s2.mediums.byId.m1.calls).toBe(2);
  });

  test('events already applied (replay and live overlap) are skipped by seq', () => {
    const emit = stamper();
    const batch = callEvents(emit, 'm1', 'c1', 'hello');
    let s = apply(initialState(), batch);
    s = apply(s, batch);
    expect(s.calls.list).toHaveLength(1);
    expect(s.mediums.byId.m1.calls).toBe(1);
    expect(s.ui.lastSeq).toBe(batch[1].seq);
  });

  test('a malformed event is skipped without losing the rest of its batch', () => {
    const emit = stamper();
    const bad = { ...emit({ type: 'probe-step', probeId: 'x', step: 's', ok: true, ms: 1, detail: '' }), type: 'no-such-type' } as unknown as EngineEvent;
    const s = apply(initialState(), [bad, ...callEvents(emit, 'm1', 'c1', 'hello')]);
    expect(s.calls.list).toHaveLength(1);
  });

  test('a call that finishes without a recorded start still shows', () => {
    const emit = stamper();
    const [, finished] = callEvents(emit, 'm9', 'c9', 'Repository.get_stream');
    const s = apply(initialState(), [finished]);
    expect(s.calls.list[0]).toMatchObject({ callId: 'c9', verb: 'Repository.get_stream', status: 'S' });
    expect(s.mediums.byId.m9.peer).toBe('?');
  });

  test('an error for a medium that never opened (a failed connect) makes no row', () => {
    const emit = stamper();
    const s = apply(initialState(), [emit({ type: 'error', mediumId: 'm5', kind: 'transport', message: 'Connection refused', fatal: true })]);
    expect(s.mediums.order).toEqual([]);
  });

  test('policy actions attach to the call they name, before or after its start; one naming no call is a connection row', () => {
    const emit = stamper();
    const s = apply(initialState(), [
      emit({ type: 'policy-action', mediumId: 'm1', callId: 'c1', policy: 'refuse-vfs', action: 'refused get', verb: 'get', retryClass: 'vfs' }),
      emit({ type: 'call-started', mediumId: 'm1', callId: 'c1', protocol: 3, verb: 'get', args: ['x'], verbKind: 'vfs', vfs: true, requestBody: null }),
      emit({ type: 'call-started', mediumId: 'm2', callId: 'c2', protocol: 3, verb: 'hello', args: [], verbKind: 'read', vfs: false, requestBody: null }),
      emit({ type: 'call-started', mediumId: 'm2', callId: 'c3', protocol: 3, verb: 'hello', args: [], verbKind: 'read', vfs: false, requestBody: null }),
      // Not the newest call on m2 and not pending-by-verb guessing: the id decides.
      emit({ type: 'policy-action', mediumId: 'm2', callId: 'c2', policy: 'latency', action: 'delayed 5 ms', verb: 'hello' }),
      emit({ type: 'policy-action', mediumId: 'm1', policy: 'drop-after-bytes', action: 'dropped the connection after 10 bytes' }),
      emit({ type: 'medium-closed', mediumId: 'm1', reason: 'policy dropped the connection after 10 bytes', calls: 1, vfsCalls: 1 }),
    ]);
    expect(callById(s.calls, 'c1')?.policyActions).toEqual(['refuse-vfs: refused get']);
    expect(callById(s.calls, 'c2')?.policyActions).toEqual(['latency: delayed 5 ms']);
    expect(callById(s.calls, 'c3')?.policyActions).toBeUndefined();
    const rows = s.calls.list.flatMap((r) => (r.row === 'conn' ? [[r.mediumId, r.event, r.severity, r.text]] : []));
    expect(rows).toEqual([
      ['m1', 'policy', 'fail', 'drop-after-bytes: dropped the connection after 10 bytes'],
      ['m1', 'disconnect', 'fail', 'disconnected: policy dropped the connection after 10 bytes · 1 calls'],
    ]);
    expect(s.calls.pendingPolicy).toEqual({});
  });

  test('an action for a call that never started shows on its connection when it closes', () => {
    const emit = stamper();
    const s = apply(initialState(), [
      emit({ type: 'policy-action', mediumId: 'm1', callId: 'c9', policy: 'drop-on-verb', action: 'dropped the connection', verb: 'get' }),
      emit({ type: 'medium-closed', mediumId: 'm1', reason: 'client closed the connection', calls: 0, vfsCalls: 0 }),
    ]);
    expect(s.calls.list.map((r) => (r.row === 'conn' ? [r.event, r.severity, r.text] : null))).toEqual([
      ['policy', 'fail', 'drop-on-verb: dropped the connection'],
      ['disconnect', 'quiet', 'disconnected: client closed the connection · 0 calls'],
    ]);
    expect(s.calls.pendingPolicy).toEqual({});
  });

  test('probe steps and verdict fill the run the UI started', () => {
    const emit = stamper();
    let s = reduce(initialState(), { type: 'probe-started', probeId: 'p1', url: 'bzr://127.0.0.1:1/', t: 0 });
    s = apply(s, [
      emit({ type: 'probe-step', probeId: 'p1', step: 'tcp connect', ok: false, ms: 1, detail: 'connection refused' }),
      emit({ type: 'probe-verdict', probeId: 'p1', ok: false, verdict: 'nothing listens on port 1', fix: 'check the port' }),
    ]);
    expect(s.probes.runs[0]).toMatchObject({ url: 'bzr://127.0.0.1:1/', steps: [{ step: 'tcp connect', ok: false }], verdict: { ok: false, fix: 'check the port' } });
  });

  test('the charts count calls and bytes per second', () => {
    const emit = stamper();
    const s = apply(initialState(), [...callEvents(emit, 'm1', 'c1', 'hello'), emit({ type: 'bytes', mediumId: 'm1', direction: 'read', count: 7 })]);
    expect(s.series.calls.at(-1)).toBe(1);
    expect(s.series.bytes.at(-1)).toBe(7);
  });
});

describe('caps', () => {
  test('the call list keeps the newest `cap` calls; the index follows', () => {
    const emit = stamper();
    let s = initialState(5);
    for (let batch = 0; batch < 3; batch++) {
      const events: EngineEvent[] = [];
      for (let i = 0; i < 4; i++) events.push(...callEvents(emit, 'm1', `c${batch * 4 + i}`, 'hello'));
      s = apply(s, events);
    }
    expect(callsOf(s.calls.list).map((c) => c.callId)).toEqual(['c7', 'c8', 'c9', 'c10', 'c11']);
    expect(s.calls.dropped).toBe(7);
    expect(callById(s.calls, 'c0')).toBeUndefined();
    expect(callById(s.calls, 'c9')?.callId).toBe('c9');
    expect(s.calls.index.size).toBe(5);
    // Counters are not capped: they count every call the medium carried.
    expect(s.mediums.byId.m1.calls).toBe(12);
  });

  test('closed mediums beyond the cap are forgotten, open ones kept', () => {
    const emit = stamper();
    const events: EngineEvent[] = [emit({ type: 'medium-opened', mediumId: 'open', kind: 'tcp-server', role: 'server', peer: 'p' })];
    for (let i = 0; i < MAX_CLOSED_MEDIUMS + 3; i++) {
      events.push(emit({ type: 'medium-opened', mediumId: `m${i}`, kind: 'tcp-server', role: 'server', peer: 'p' }));
      events.push(emit({ type: 'medium-closed', mediumId: `m${i}`, reason: 'done', calls: 0, vfsCalls: 0 }));
    }
    const s = apply(initialState(), events);
    expect(s.mediums.order).toHaveLength(MAX_CLOSED_MEDIUMS + 1);
    expect(s.mediums.byId.open).toBeDefined();
    expect(s.mediums.byId.m0).toBeUndefined();
    expect(s.mediums.order[0]).toBe(`m${MAX_CLOSED_MEDIUMS + 2}`);
  });

  test('notices keep the last few', () => {
    let s = initialState();
    for (let i = 0; i < 8; i++) s = reduce(s, { type: 'notice', notice: { level: 'error', title: `t${i}`, message: 'm' } });
    expect(s.ui.notices.map((n) => n.title)).toEqual(['t3', 't4', 't5', 't6', 't7']);
  });
});

describe('filters', () => {
  const emit = stamper();
  const s = apply(initialState(), [
    ...callEvents(emit, 'm1', 'c1', 'BzrDir.open_2.1'),
    ...callEvents(emit, 'm1', 'c2', 'get', { vfs: true }),
    ...callEvents(emit, 'm2', 'c3', 'get', { vfs: true, status: 'E' }),
    ...callEvents(emit, 'm2', 'c4', 'Branch.get_config_file'),
  ]);
  const ids = (f: Partial<AppState['ui']['filters']>) => callsOf(filterRows(s.calls.list, { ...s.ui.filters, ...f })).map((c) => c.callId);

  test('the verbs seen are kept, sorted, for the verb filter', () => {
    expect(s.calls.verbs).toEqual(['Branch.get_config_file', 'BzrDir.open_2.1', 'get']);
  });
  test('none: the list itself', () => {
    expect(filterRows(s.calls.list, s.ui.filters)).toBe(s.calls.list);
  });
  test('by verb, medium, VFS, failures, and combined', () => {
    expect(ids({ verb: 'get' })).toEqual(['c2', 'c3']);
    expect(ids({ mediumId: 'm2' })).toEqual(['c3', 'c4']);
    expect(ids({ vfsOnly: true })).toEqual(['c2', 'c3']);
    // c3 answers `get` with E ok: an error answer brz does not expect.
    expect(ids({ failuresOnly: true })).toEqual(['c3']);
    expect(ids({ vfsOnly: true, mediumId: 'm1' })).toEqual(['c2']);
  });
  test('search matches verbs and args, case-insensitively', () => {
    expect(ids({ search: 'CONFIG' })).toEqual(['c4']);
    expect(ids({ search: '"ok"' })).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(ids({ search: 'nothing-like-this' })).toEqual([]);
  });
});

describe('wire detail', () => {
  const raw = (text: string, length = text.length) => ({ base64: Buffer.from(text).toString('base64'), length, truncated: length > text.length });
  const headers = { 'Software version': '3.3.2' };

  test('a recorded call keeps its request headers and raw bytes from the start, the response\'s from the finish', () => {
    const emit = stamper();
    let s = apply(initialState(), [
      emit({ type: 'call-started', mediumId: 'm1', callId: 'c1', protocol: 3, verb: 'hello', args: [], verbKind: 'read', vfs: false, requestBody: null, headers, raw: raw('request') }),
    ]);
    expect(callById(s.calls, 'c1')).toMatchObject({ requestHeaders: headers, requestRaw: raw('request'), status: 'pending' });
    expect(callById(s.calls, 'c1')?.responseRaw).toBeUndefined();
    s = apply(s, [
      emit({ type: 'call-finished', mediumId: 'm1', callId: 'c1', verb: 'hello', status: 'S', args: ['ok', '2'], responseBody: null, durationMs: 1, headers: null, raw: raw('resp', 9000) }),
    ]);
    expect(callById(s.calls, 'c1')).toMatchObject({ requestHeaders: headers, requestRaw: raw('request'), responseHeaders: null, responseRaw: { length: 9000, truncated: true } });
  });

  test('the app client\'s request bytes arrive with the finish and fill the request side', () => {
    const emit = stamper();
    const s = apply(initialState(), [
      emit({ type: 'call-started', mediumId: 'm1', callId: 'c1', protocol: 3, verb: 'hello', args: [], verbKind: 'read', vfs: false, requestBody: null }),
      emit({ type: 'call-finished', mediumId: 'm1', callId: 'c1', verb: 'hello', status: 'S', args: [], responseBody: null, durationMs: 1, headers, raw: raw('resp'), requestHeaders: headers, requestRaw: raw('req') }),
    ]);
    expect(callById(s.calls, 'c1')).toMatchObject({ requestHeaders: headers, requestRaw: raw('req'), responseHeaders: headers, responseRaw: raw('resp') });
  });

  test('calls without wire detail (older traces) have none', () => {
    const emit = stamper();
    const s = apply(initialState(), callEvents(emit, 'm1', 'c1', 'hello'));
    const c = callById(s.calls, 'c1');
    expect([c?.requestRaw, c?.responseRaw, c?.requestHeaders, c?.responseHeaders]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

test("the engine's own errors (no connection) become notices; a connection's errors do not", () => {
  const emit = stamper();
  let s = initialState();
  s = apply(s, [
    emit({ type: 'error', kind: 'internal', message: 'cannot write trace /x: the file (or its folder) was removed; later events are not recorded', fatal: false }),
    emit({ type: 'error', kind: 'ssh', message: 'ssh client 127.0.0.1:1: no login within 20 s; disconnected', fatal: false }),
    emit({ type: 'error', mediumId: 'm9', kind: 'internal', message: 'on a connection', fatal: false }),
  ]);
  expect(s.ui.notices.map((n) => [n.level, n.title, n.message])).toEqual([['error', 'Engine problem', expect.stringMatching(/^cannot write trace \/x/)]]);
  expect(s.ui.lastSeq).toBe(3);
});
