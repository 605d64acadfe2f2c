/**
 * The trace view's model: calls and connection events in one list, a proxy's connection
 * paired with its upstream, `no` made quiet by a following create, owner trouble, the
 * "Failures only" filter, per-verb statistics, captures opened as calls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EventBus } from '../../src/main/bus/event-bus';
import type { EngineEvent, UnstampedEvent } from '../../src/shared/events';
import { captureToEvents } from '../../src/renderer/src/lib/capture-file';
import { capturedRequestBody, capturedResponseBody } from '../../src/renderer/src/lib/captured-body';
import { previewBytes } from '../../src/renderer/src/lib/format';
import { describeSavedTrace, traceCoverage } from '../../src/renderer/src/lib/trace-coverage';
import { callById, outcomeOf } from '../../src/renderer/src/store/calls-reducer';
import { filterRows } from '../../src/renderer/src/store/filters';
import { initialState, reduce } from '../../src/renderer/src/store/reducer';
import type { AppState } from '../../src/renderer/src/store/types';
import { percentile } from '../../src/shared/call-stats';
import { verbStats } from '../../src/renderer/src/store/verb-stats';

function stamper() {
  const bus = new EventBus();
  return (e: UnstampedEvent) => bus.emit(e);
}

const apply = (s: AppState, events: EngineEvent[]) => reduce(s, { type: 'events', events });

function call(emit: (e: UnstampedEvent) => EngineEvent, mediumId: string, callId: string, verb: string, args: string[], status: 'S' | 'E', answer: string[], durationMs = 2): EngineEvent[] {
  return [
    emit({ type: 'call-started', mediumId, callId, protocol: 3, verb, args, verbKind: 'read', vfs: false, requestBody: null, raw: { base64: '', length: 40, truncated: false } }),
    emit({ type: 'call-finished', mediumId, callId, verb, status, args: answer, responseBody: null, durationMs, raw: { base64: '', length: 25, truncated: false } }),
  ];
}

describe('a failed push through a proxy', () => {
  const emit = stamper();
  let s = apply(initialState(), [
    emit({ type: 'medium-opened', mediumId: 'm1', kind: 'tcp-server', role: 'server', peer: '127.0.0.1:50001', ownerId: 'p1' }),
    emit({ type: 'medium-opened', mediumId: 'm2', kind: 'tcp-client', role: 'client', peer: '127.0.0.1:4155', ownerId: 'p1', parentMediumId: 'm1' }),
    ...call(emit, 'm1', 'c1', 'BzrDir.open_2.1', ['notabranch/'], 'S', ['no']),
    ...call(emit, 'm1', 'c2', 'Branch.get_stacked_on_url', ['trunk/'], 'E', ['NotStacked']),
    emit({ type: 'medium-opened', mediumId: 'm3', kind: 'tcp-server', role: 'server', peer: '127.0.0.1:50002', ownerId: 'p1' }),
    emit({ type: 'medium-opened', mediumId: 'm4', kind: 'ssh-client', role: 'client', peer: 'u@h:22', ownerId: 'p1', parentMediumId: 'm3' }),
    emit({ type: 'error', mediumId: 'm4', kind: 'transport', message: 'upstream: host key changed for [127.0.0.1]:2222', fatal: true }),
    emit({ type: 'medium-closed', mediumId: 'm4', reason: 'host key changed for [127.0.0.1]:2222', calls: 0, vfsCalls: 0 }),
  ]);

  test('the proxy connection and its upstream are one pair, as the upstream names it, whichever is seen first', () => {
    const upstreamFirst = apply(initialState(), [
      emit({ type: 'medium-opened', mediumId: 'm8', kind: 'tcp-client', role: 'client', peer: '127.0.0.1:4155', ownerId: 'p1', parentMediumId: 'm7' }),
      emit({ type: 'medium-opened', mediumId: 'm7', kind: 'tcp-server', role: 'server', peer: '127.0.0.1:50009', ownerId: 'p1' }),
    ]);
    expect([upstreamFirst.mediums.byId.m7.pairId, upstreamFirst.mediums.byId.m8.pairId]).toEqual(['m8', 'm7']);
    expect([s.mediums.byId.m1.pairId, s.mediums.byId.m2.pairId, s.mediums.byId.m3.pairId, s.mediums.byId.m4.pairId]).toEqual(['m2', 'm1', 'm4', 'm3']);
  });

  test('connection events are rows between the calls, failures marked', () => {
    const rows = s.calls.list.map((r) => (r.row === 'conn' ? `${r.mediumId} ${r.event} ${r.severity}` : `${r.mediumId} ${r.verb} ${outcomeOf(r).result} ${outcomeOf(r).severity}`));
    expect(rows).toEqual([
      'm1 connect ok',
      'm2 connect ok',
      'm1 BzrDir.open_2.1 S no fail',
      'm1 Branch.get_stacked_on_url E NotStacked quiet',
      'm3 connect ok',
      'm4 connect ok',
      'm4 error fail',
      'm4 disconnect fail',
    ]);
    expect(s.calls.callCount).toBe(2);
  });

  test('"Failures only" shows what made brz fail and nothing else', () => {
    const shown = filterRows(s.calls.list, { ...s.ui.filters, failuresOnly: true }).map((r) => (r.row === 'call' ? r.verb : r.event));
    expect(shown).toEqual(['BzrDir.open_2.1', 'error', 'disconnect']);
  });

  test('following a connection shows its pair too', () => {
    const shown = filterRows(s.calls.list, { ...s.ui.filters, mediumId: 'm3' }, new Set(['m3', 'm4'])).map((r) => `${r.mediumId} ${r.row === 'call' ? r.verb : r.event}`);
    expect(shown).toEqual(['m3 connect', 'm4 connect', 'm4 error', 'm4 disconnect']);
  });

  test("the owner's card learns its upstream failed; a later failed call does not hide it", () => {
    expect(s.owners.trouble.p1).toMatchObject({ level: 'bad', text: 'upstream: host key changed for [127.0.0.1]:2222' });
    s = apply(s, call(emit, 'm1', 'c3', 'get', ['x'], 'E', ['NoSuchFile', 'x']));
    expect(s.owners.trouble.p1).toMatchObject({ level: 'bad', failures: 3 });
  });

  test('sizes and the time since the previous call on the connection are kept', () => {
    expect(callById(s.calls, 'c2')).toMatchObject({ requestBytes: 40, responseBytes: 25 });
    expect(callById(s.calls, 'c1')?.sincePrevMs).toBeNull();
    expect(callById(s.calls, 'c2')?.sincePrevMs).toBeGreaterThanOrEqual(0);
  });
});

test('a `no` before brz creates the bzrdir (a push to a new branch) turns quiet', () => {
  const emit = stamper();
  let s = apply(initialState(), call(emit, 'm1', 'c1', 'BzrDir.open_2.1', ['pushes/feature/'], 'S', ['no']));
  expect(outcomeOf(callById(s.calls, 'c1')!).severity).toBe('fail');
  s = apply(s, call(emit, 'm1', 'c2', 'BzrDirFormat.initialize_ex_1.16', ['Bazaar-NG meta directory, format 1\n', 'pushes/feature/', 'False'], 'S', ['.']));
  expect(outcomeOf(callById(s.calls, 'c1')!)).toMatchObject({ severity: 'quiet', meaning: 'no bzrdir yet: brz created it next' });
});

test('per-verb statistics: count, failures, p50/p95, bytes', () => {
  const emit = stamper();
  const events: EngineEvent[] = [];
  for (let i = 1; i <= 20; i++) events.push(...call(emit, 'm1', `c${i}`, 'get', ['x'], i === 20 ? 'E' : 'S', i === 20 ? ['NoSuchFile'] : ['ok'], i));
  events.push(...call(emit, 'm1', 'c99', 'hello', [], 'S', ['ok', '2'], 1));
  const stats = verbStats(apply(initialState(), events).calls.list);
  expect(stats).toEqual([
    { verb: 'get', count: 20, errorAnswers: 1, failures: 1, p50Ms: 10, p95Ms: 19, peerShare: null, requestBytes: 800, responseBytes: 500 },
    { verb: 'hello', count: 1, errorAnswers: 0, failures: 0, p50Ms: 1, p95Ms: 1, peerShare: null, requestBytes: 40, responseBytes: 25 },
  ]);
  expect(percentile([], 50)).toBeNull();
});

test("a capture's .jsonl opens as calls decoded from its bytes", () => {
  const dir = join(__dirname, '../fixtures/captures');
  const events = captureToEvents(readFileSync(join(dir, 'cli-log-notabranch.conn1.jsonl'), 'utf8'), 'cli-log-notabranch', 1_700_000_000_000);
  const s = apply(initialState(), events);
  const calls = s.calls.list.flatMap((r) => (r.row === 'call' ? [[r.callId, r.verb, r.args, outcomeOf(r).result, outcomeOf(r).severity]] : []));
  expect(calls).toEqual([
    ['cap1.c1', 'BzrDir.open_2.1', ['notabranch/'], 'S no', 'fail'],
    ['cap1.c2', 'BzrDir.open_2.1', ['.'], 'S no', 'fail'],
  ]);
  const expected = JSON.parse(readFileSync(join(dir, 'cli-push-new.conn1.expected.json'), 'utf8')) as { request_count: number; verbs: string[] };
  const push = captureToEvents(readFileSync(join(dir, 'cli-push-new.conn1.jsonl'), 'utf8'), 'cli-push-new', 0);
  const verbs = push.flatMap((e) => (e.type === 'call-started' ? [e.verb] : []));
  expect(verbs).toHaveLength(expected.request_count);
  expect(verbs).toEqual(expected.verbs);
  expect(push.filter((e) => e.type === 'call-finished' && e.status !== null)).toHaveLength(expected.request_count);
  expect(() => captureToEvents('{"format":"hpss-capture"}\n{"oops":1}\n', 'bad', 0)).toThrow(/line 2 is not a capture chunk/);
});

test('a saved trace says what it covers, and since when after "Clear"', () => {
  const emit = stamper();
  const events = [...call(emit, 'm1', 'c1', 'hello', [], 'S', ['ok']), ...call(emit, 'm2', 'c2', 'hello', [], 'S', ['ok'])];
  const c = traceCoverage(events);
  expect(c).toMatchObject({ events: 4, calls: 2, connections: 2 });
  expect(describeSavedTrace(c, null, 0, 100_000)).toMatch(/^4 events: 2 calls on 2 connections from \d\d:\d\d:\d\d\.\d{3} to \d\d:\d\d:\d\d\.\d{3}\.$/);
  expect(describeSavedTrace(c, Date.now(), 7, 100_000)).toMatch(/only what arrived since "Clear" at .* The 7 oldest events were left out: the UI keeps the last 100,000\./);
  expect(describeSavedTrace(traceCoverage([]), Date.now(), 0, 100_000)).toMatch(/^The trace is empty: nothing arrived since "Clear" at/);
});

test("a body shows as far as the raw capture holds it, not only the 48-byte preview", () => {
  const dir = join(__dirname, '../fixtures/captures');
  const events = captureToEvents(readFileSync(join(dir, 'cli-branch.conn1.jsonl'), 'utf8'), 'cli-branch', 0);
  const started = new Map(events.flatMap((e) => (e.type === 'call-started' ? [[e.callId, e]] : [])));
  const withBody = events.flatMap((e) => (e.type === 'call-finished' && e.responseBody && e.raw && e.responseBody.length > 100 ? [e] : []));
  expect(withBody.length).toBeGreaterThan(0);
  for (const e of withBody) {
    const s = started.get(e.callId)!;
    const body = capturedResponseBody(e.raw!, s.protocol, s.verb)!;
    const preview = previewBytes(e.responseBody!.preview);
    expect(body.length).toBeGreaterThan(preview.length);
    expect(body.length).toBeLessThanOrEqual(e.responseBody!.length);
    expect(Buffer.from(body.subarray(0, preview.length)).equals(Buffer.from(preview))).toBe(true);
  }
  // A request without a body has none; bytes that are not a message give none.
  const first = events.find((e) => e.type === 'call-started')!;
  expect(first.type === 'call-started' && first.raw && capturedRequestBody(first.raw)).toBeNull();
  expect(capturedResponseBody({ base64: Buffer.from('not protocol').toString('base64'), length: 12, truncated: false }, 3, 'hello')).toBeNull();
});
