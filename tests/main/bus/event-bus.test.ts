import { describe, expect, test } from 'vitest';
import type { EngineEvent } from '../../../src/shared/events';
import { ByteReporter, EventBus } from '../../../src/main/bus/event-bus';

function recorded(): { bus: EventBus; events: EngineEvent[] } {
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.on((e) => events.push(e));
  return { bus, events };
}

const bytesEvents = (events: EngineEvent[]) => events.filter((e) => e.type === 'bytes');

describe('ByteReporter', () => {
  test('many reads and writes become one event per direction, totals exact, in the order they began', () => {
    const { bus, events } = recorded();
    const reporter = new ByteReporter(bus, 'm1');
    for (let i = 0; i < 1000; i++) {
      reporter.count('written', 71);
      reporter.count('read', 73);
    }
    expect(bytesEvents(events)).toEqual([]);
    reporter.flush();
    expect(bytesEvents(events)).toMatchObject([
      { type: 'bytes', mediumId: 'm1', direction: 'written', count: 71_000 },
      { type: 'bytes', mediumId: 'm1', direction: 'read', count: 73_000 },
    ]);
  });

  test('a flush with nothing counted reports nothing; counting starts again after a flush', () => {
    const { bus, events } = recorded();
    const reporter = new ByteReporter(bus, 'm2');
    reporter.flush();
    expect(bytesEvents(events)).toEqual([]);
    reporter.count('read', 5);
    reporter.flush();
    reporter.count('read', 7);
    reporter.flush();
    expect(bytesEvents(events).map((e) => (e.type === 'bytes' ? e.count : 0))).toEqual([5, 7]);
  });

  test('counts are reported on their own, without a flush', async () => {
    const { bus, events } = recorded();
    const reporter = new ByteReporter(bus, 'm3');
    reporter.count('read', 12);
    const deadline = Date.now() + 5_000;
    while (bytesEvents(events).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(bytesEvents(events)).toMatchObject([{ mediumId: 'm3', direction: 'read', count: 12 }]);
  });
});
