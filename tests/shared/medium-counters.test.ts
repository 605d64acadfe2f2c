import { expect, test } from 'vitest';
import type { EngineEvent, UnstampedEvent } from '../../src/shared/events';
import { countMediumEvent, emptyCounters } from '../../src/shared/medium-counters';

let seq = 0;
const stamp = (e: UnstampedEvent): EngineEvent => ({ ...e, seq: ++seq, t: 1_700_000_000_000 + seq }) as EngineEvent;

test('bytes each way, calls (VFS apart), timeouts and errors are counted; other events change nothing', () => {
  const counters = emptyCounters();
  const events: UnstampedEvent[] = [
    { type: 'medium-opened', mediumId: 'm1', kind: 'tcp-server', role: 'server', peer: '127.0.0.1:50000' },
    { type: 'bytes', mediumId: 'm1', direction: 'read', count: 40 },
    { type: 'bytes', mediumId: 'm1', direction: 'written', count: 25 },
    { type: 'bytes', mediumId: 'm1', direction: 'read', count: 2 },
    { type: 'call-started', mediumId: 'm1', callId: 'c1', protocol: 3, verb: 'get', args: [], verbKind: 'vfs', vfs: true, requestBody: null },
    { type: 'call-started', mediumId: 'm1', callId: 'c2', protocol: 3, verb: 'hello', args: [], verbKind: 'read', vfs: false, requestBody: null },
    // Counted when it starts, as Breezy's DebugCounter does: the finish (even a failed one) adds nothing.
    { type: 'call-finished', mediumId: 'm1', callId: 'c1', verb: 'get', status: null, args: [], responseBody: null, durationMs: 1, error: { kind: 'transport', message: 'gone' } },
    { type: 'policy-action', mediumId: 'm1', policy: 'latency', action: 'delayed 5 ms' },
    { type: 'timeout', mediumId: 'm1', message: 'disconnecting client after 1.0 seconds', seconds: 1 },
    { type: 'error', mediumId: 'm1', kind: 'protocol', message: 'bad', fatal: true },
    { type: 'medium-closed', mediumId: 'm1', reason: 'closed', calls: 2, vfsCalls: 1 },
  ];
  for (const e of events) countMediumEvent(counters, stamp(e));
  expect(counters).toEqual({ calls: 2, vfsCalls: 1, bytesRead: 42, bytesWritten: 25, timeouts: 1, errors: 1 });
});
