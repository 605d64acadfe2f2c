import { expect, test } from 'vitest';
import { EventBatcher, MAX_BATCH } from '../../../src/main/engine/event-batcher';
import { EventBus } from '../../../src/main/bus/event-bus';
import type { EngineEvent } from '../../../src/shared/events';

function events(n: number): EngineEvent[] {
  const bus = new EventBus();
  return Array.from({ length: n }, () => bus.emit({ type: 'bytes', mediumId: 'm1', direction: 'read', count: 1 }));
}

test('events pushed before a flush go out as one batch, in order', () => {
  const sent: EngineEvent[][] = [];
  const b = new EventBatcher((batch) => sent.push(batch), 60_000);
  for (const e of events(3)) b.push(e);
  expect(sent).toEqual([]);
  b.flush();
  expect(sent.map((x) => x.map((e) => e.seq))).toEqual([[1, 2, 3]]);
  b.close();
});

test('a burst larger than one batch is split at MAX_BATCH', () => {
  const sent: EngineEvent[][] = [];
  const b = new EventBatcher((batch) => sent.push(batch), 60_000);
  for (const e of events(MAX_BATCH + 10)) b.push(e);
  b.flush();
  b.flush();
  expect(sent.map((x) => x.length)).toEqual([MAX_BATCH, 10]);
  expect(sent[1][0].seq).toBe(MAX_BATCH + 1);
  b.close();
});

test('the timer flushes by itself', async () => {
  const batch = await new Promise<EngineEvent[]>((resolve) => {
    const b = new EventBatcher(resolve, 1);
    for (const e of events(2)) b.push(e);
  });
  expect(batch.length).toBe(2);
});
