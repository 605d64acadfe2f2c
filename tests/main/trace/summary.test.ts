import { expect, test } from 'vitest';
import type { EngineEvent, UnstampedEvent } from '../../../src/shared/events';
import { parseTrace } from '../../../src/main/trace/read-trace';
import { summarizeEvents, summarizeTrace } from '../../../src/main/trace/summary';
import { formatSummary } from '../../../src/main/cli/commands/trace';
import { TRACE_FORMAT, TRACE_VERSION } from '../../../src/shared/trace-format';

let seq = 0;
const stamp = (e: UnstampedEvent): EngineEvent => ({ ...e, seq: ++seq, t: 1_700_000_000_000 + seq }) as EngineEvent;

function call(mediumId: string, callId: string, verb: string, vfs: boolean): EngineEvent[] {
  const args = ['/trunk/'];
  return [
    stamp({ type: 'call-started', mediumId, callId, protocol: 3, verb, args, verbKind: vfs ? 'vfs' : 'read', vfs, requestBody: null }),
    stamp({ type: 'call-finished', mediumId, callId, verb, status: 'S', args: ['ok'], responseBody: null, durationMs: 1 }),
  ];
}

const events: EngineEvent[] = [
  stamp({ type: 'listener', ownerId: 's1', state: 'listening', url: 'bzr://127.0.0.1:4155/' }),
  stamp({ type: 'medium-opened', mediumId: 'm1', kind: 'tcp-server', role: 'server', peer: '127.0.0.1:50000', ownerId: 's1' }),
  stamp({ type: 'medium-opened', mediumId: 'm2', kind: 'pipes-client', role: 'client', peer: 'brz serve --inet', ownerId: 's1' }),
  stamp({ type: 'bytes', mediumId: 'm1', direction: 'read', count: 40 }),
  ...call('m1', 'c1', 'BzrDir.open_2.1', false),
  stamp({ type: 'bytes', mediumId: 'm1', direction: 'written', count: 25 }),
  stamp({ type: 'bytes', mediumId: 'm1', direction: 'read', count: 60 }),
  ...call('m1', 'c2', 'get', true),
  ...call('m1', 'c3', 'get', true),
  ...call('m2', 'c4', 'get', true),
  stamp({ type: 'bytes', mediumId: 'm1', direction: 'written', count: 500 }),
  stamp({ type: 'policy-action', mediumId: 'm1', policy: 'latency', action: 'delayed 5 ms' }),
  stamp({ type: 'timeout', mediumId: 'm1', message: 'disconnecting client after 1.0 seconds', seconds: 1 }),
  stamp({ type: 'error', mediumId: 'm2', kind: 'transport', message: 'pipe closed', fatal: true }),
  stamp({ type: 'error', kind: 'internal', message: 'no medium', fatal: false }),
  stamp({ type: 'medium-closed', mediumId: 'm1', reason: 'timeout', calls: 3, vfsCalls: 2 }),
];

test('aggregates calls, VFS calls, bytes, timeouts and verbs per medium', () => {
  const [m1, m2] = summarizeEvents(events);
  expect(m1).toEqual({
    recording: 1,
    mediumId: 'm1',
    kind: 'tcp-server',
    role: 'server',
    peer: '127.0.0.1:50000',
    ownerId: 's1',
    calls: 3,
    vfsCalls: 2,
    bytesRead: 100,
    bytesWritten: 525,
    timeouts: 1,
    errors: 0,
    closed: 'timeout',
    verbs: { 'BzrDir.open_2.1': 1, get: 2 },
    setup: null,
  });
  expect(m2).toMatchObject({ mediumId: 'm2', kind: 'pipes-client', calls: 1, vfsCalls: 1, errors: 1, closed: null, verbs: { get: 1 } });
});

test('a medium seen only through its calls (trace started late) is still counted', () => {
  const [m] = summarizeEvents(call('m7', 'c9', 'hello', false));
  expect(m).toMatchObject({ mediumId: 'm7', kind: null, peer: null, calls: 1, vfsCalls: 0 });
});

test('several recordings in one file keep their mediums apart and sum the verbs', () => {
  const header = JSON.stringify({ format: 'hpss-trace', version: 1, started: '2026-01-01T00:00:00Z', pid: 1 });
  const body = events.map((e) => JSON.stringify(e)).join('\n');
  const summary = summarizeTrace(parseTrace(`${header}\n${body}\n${header}\n${body}\n`).sessions);
  expect(summary.recordings).toBe(2);
  expect(summary.events).toBe(2 * events.length);
  expect(summary.mediums.map((m) => `${m.recording}:${m.mediumId}`)).toEqual(['1:m1', '1:m2', '2:m1', '2:m2']);
  expect(summary.verbs).toEqual({ 'BzrDir.open_2.1': 2, get: 6 });
});

test("a client connection's set-up is summarised with it; one that failed is closed with its reason", () => {
  const phases = [{ phase: 'tcp-connect' as const, ms: 2, ok: true }, { phase: 'ssh-handshake' as const, ms: 40, ok: true }];
  const setups = [
    stamp({ type: 'connection-setup', mediumId: 'm3', kind: 'ssh-client', target: 'joe@127.0.0.1:22', phases, totalMs: 42.4, ok: true }),
    stamp({ type: 'medium-opened', mediumId: 'm3', kind: 'ssh-client', role: 'client', peer: '127.0.0.1:22', ownerId: 'p1' }),
    ...call('m3', 'c5', 'hello', false),
    stamp({ type: 'connection-setup', mediumId: 'm4', kind: 'ssh-client', target: 'joe@127.0.0.1:22', phases: [{ phase: 'tcp-connect', ms: 1, ok: false }], totalMs: 1, ok: false, reason: 'connect ECONNREFUSED 127.0.0.1:22' }),
  ];
  const [m3, m4] = summarizeEvents(setups);
  expect(m3).toMatchObject({ kind: 'ssh-client', peer: '127.0.0.1:22', calls: 1, closed: null, setup: { totalMs: 42.4, ok: true, reason: null } });
  expect(m4).toMatchObject({ kind: 'ssh-client', peer: 'joe@127.0.0.1:22', calls: 0, closed: 'set-up failed: connect ECONNREFUSED 127.0.0.1:22', setup: { ok: false } });
  const text = formatSummary(summarizeTrace([{ header: { format: TRACE_FORMAT, version: TRACE_VERSION, started: '2026-12-02T00:00:00Z', pid: 1 }, events: setups }]));
  expect(text).toMatch(/^medium\s.*\stimeouts\s+setupMs\s+closed$/m);
  expect(text).toMatch(/^m3\s+ssh-client\s+127\.0\.0\.1:22\s+1\s+0\s+0\s+0\s+0\s+42\s+open$/m);
  expect(text).toMatch(/^m4\s+ssh-client\s+joe@127\.0\.0\.1:22\s+0\s+0\s+0\s+0\s+0\s+failed\s+set-up failed: connect ECONNREFUSED/m);
});
