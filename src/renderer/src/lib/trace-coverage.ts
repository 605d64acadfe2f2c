/** What a saved trace holds, in words: events, calls, connections, the time span, and what it leaves out. */
import type { EngineEvent } from '../../../shared/events';
import { formatCount, formatTime } from './format';

export interface TraceCoverage {
  events: number;
  calls: number;
  connections: number;
  from: number | null;
  to: number | null;
}

export function traceCoverage(events: readonly EngineEvent[]): TraceCoverage {
  const mediums = new Set<string>();
  let calls = 0;
  for (const e of events) {
    if (e.type === 'call-started') calls++;
    if ('mediumId' in e && typeof e.mediumId === 'string') mediums.add(e.mediumId);
  }
  return { events: events.length, calls, connections: mediums.size, from: events[0]?.t ?? null, to: events.at(-1)?.t ?? null };
}

/** `clearedAt`: the user's last "Clear"; `overwritten`: older events the UI's log no longer holds. */
export function describeSavedTrace(c: TraceCoverage, clearedAt: number | null, overwritten: number, keptMax: number): string {
  const since = clearedAt === null ? '' : ` It covers only what arrived since "Clear" at ${formatTime(clearedAt)}.`;
  if (c.events === 0) return `The trace is empty: nothing arrived${clearedAt === null ? ' yet' : ` since "Clear" at ${formatTime(clearedAt)}`}.`;
  const span = c.from !== null && c.to !== null ? ` from ${formatTime(c.from)} to ${formatTime(c.to)}` : '';
  const dropped = overwritten > 0 ? ` The ${formatCount(overwritten)} oldest events were left out: the UI keeps the last ${formatCount(keptMax)}.` : '';
  return `${formatCount(c.events)} events: ${formatCount(c.calls)} calls on ${formatCount(c.connections)} connections${span}.${since}${dropped}`;
}
