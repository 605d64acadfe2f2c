import { describe, expect, test } from 'vitest';
import { EventBus } from '../../src/main/bus/event-bus';
import type { EngineEvent } from '../../src/shared/events';
import { CallsDraft, callById, emptyCalls } from '../../src/renderer/src/store/calls-reducer';
import { EventLog } from '../../src/renderer/src/store/event-log';

const raw = { base64: 'AAEC', length: 3, truncated: false };

function callPair(bus: EventBus, n: number): EngineEvent[] {
  const callId = `c${n}`;
  return [
    bus.emit({ type: 'call-started', mediumId: 'm1', callId, protocol: 3, verb: 'hello', args: [], verbKind: 'read', vfs: false, requestBody: null, headers: {}, raw }),
    bus.emit({ type: 'call-finished', mediumId: 'm1', callId, verb: 'hello', status: 'S', args: ['ok', '2'], responseBody: null, durationMs: 1, headers: {}, raw }),
  ];
}

describe('raw wire bytes are kept for the newest calls only', () => {
  test('calls older than the newest `rawKept` lose their raw bytes, keep everything else', () => {
    const bus = new EventBus();
    let slice = emptyCalls(1_000, 10);
    for (let batch = 0; batch < 5; batch++) {
      const draft = new CallsDraft(slice);
      for (let i = 0; i < 7; i++) for (const e of callPair(bus, batch * 7 + i)) draft.apply(e as Parameters<CallsDraft['apply']>[0]);
      slice = draft.finish();
    }
    expect(slice.list).toHaveLength(35);
    const withRaw = slice.list.flatMap((c) => (c.row === 'call' && (c.requestRaw || c.responseRaw) ? [c.callId] : []));
    expect(withRaw).toEqual(Array.from({ length: 10 }, (_, i) => `c${25 + i}`));
    const old = callById(slice, 'c0');
    expect(old).toMatchObject({ verb: 'hello', status: 'S', responseArgs: ['ok', '2'], requestHeaders: {} });
    expect(old?.requestRaw).toBeUndefined();
    expect(callById(slice, 'c34')?.responseRaw).toEqual(raw);
  });

  test('the event log strips raw bytes from events older than its budget, before and after it wraps', () => {
    const bus = new EventBus();
    const log = new EventLog(50, 6);
    for (let n = 0; n < 40; n++) log.append(callPair(bus, n));
    const events = log.events();
    expect(events).toHaveLength(50);
    const carrying = events.filter((e) => (e.type === 'call-started' || e.type === 'call-finished') && e.raw);
    expect(carrying.map((e) => e.seq)).toEqual(events.slice(-6).map((e) => e.seq));
    expect(events[0]).toMatchObject({ type: 'call-started', callId: 'c15', headers: {} });
  });
});
