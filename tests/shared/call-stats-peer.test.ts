/** The peer's share per verb: over the calls that tell it (`peerMs`), from events to statistics. */
import { expect, test } from 'vitest';
import { EventBus } from '../../src/main/bus/event-bus';
import { CallJoiner, VerbStatsBuilder } from '../../src/shared/call-stats';
import type { EngineEvent } from '../../src/shared/events';

test("a verb's peer share is the peer's time over the time of the calls that tell it", () => {
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  const finished = (callId: string, verb: string, durationMs: number, peerMs?: number) => {
    bus.emit({ type: 'call-started', mediumId: 'm1', callId, protocol: 3, verb, args: [], verbKind: 'read', vfs: false, requestBody: null });
    bus.emit({ type: 'call-finished', mediumId: 'm1', callId, verb, status: 'S', args: ['ok'], responseBody: null, durationMs, ...(peerMs === undefined ? {} : { peerMs }) });
  };
  finished('c1', 'get', 10, 8);
  finished('c2', 'get', 30, 12);
  // A call that does not tell its peer's time (an imported capture's) is left out of the share.
  finished('c3', 'get', 1000);
  finished('c4', 'hello', 5);
  const joiner = new CallJoiner();
  const builder = new VerbStatsBuilder();
  for (const e of events) {
    const call = joiner.add(e);
    if (call) builder.add({ ...call, severity: call.outcome.severity });
  }
  const stats = builder.build();
  expect(stats.find((v) => v.verb === 'get')?.peerShare).toBe(0.5);
  expect(stats.find((v) => v.verb === 'hello')?.peerShare).toBeNull();
});
