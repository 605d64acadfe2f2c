import { expect, test } from 'vitest';
import { EventBus } from '../../src/main/bus/event-bus';
import type { EngineEvent } from '../../src/shared/events';
import { EventLog } from '../../src/renderer/src/store/event-log';
import { EventQueue } from '../../src/renderer/src/store/event-queue';

function events(n: number): EngineEvent[] {
  const bus = new EventBus();
  return Array.from({ length: n }, () => bus.emit({ type: 'bytes', mediumId: 'm1', direction: 'read', count: 1 }));
}

/** A frame clock the test advances by hand. */
function frames() {
  const pending: (() => void)[] = [];
  return {
    schedule: (run: () => void) => pending.push(run),
    next: () => pending.splice(0).forEach((run) => run()),
    get waiting() {
      return pending.length;
    },
  };
}

test('batches that arrive within a frame are applied together, once per frame', () => {
  const clock = frames();
  const applied: number[][] = [];
  const q = new EventQueue((evs) => applied.push(evs.map((e) => e.seq)), clock.schedule, 100);
  const evs = events(5);
  q.push(evs.slice(0, 2));
  q.push(evs.slice(2));
  expect(clock.waiting).toBe(1);
  expect(applied).toEqual([]);
  clock.next();
  expect(applied).toEqual([[1, 2, 3, 4, 5]]);
});

test('a burst is applied at most maxPerFrame events a frame, in order', () => {
  const clock = frames();
  const applied: number[] = [];
  const q = new EventQueue((evs) => applied.push(evs.length), clock.schedule, 10);
  q.push(events(25));
  expect(q.pending).toBe(25);
  for (let i = 0; i < 5 && clock.waiting; i++) clock.next();
  expect(applied).toEqual([10, 10, 5]);
  expect(q.pending).toBe(0);
});

test('applied events are logged for saving, in a bounded ring', () => {
  const log = new EventLog(3);
  log.append(events(5));
  expect(log.events().map((e) => e.seq)).toEqual([3, 4, 5]);
  log.clear();
  expect(log.size).toBe(0);
});
